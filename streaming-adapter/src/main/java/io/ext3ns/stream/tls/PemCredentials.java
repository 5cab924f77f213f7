package io.ext3ns.stream.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's TLS identity from PEM files, as nginx and openssl write them: the certificate chain (leaf first) and
 * an unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}: RSA, EC or Ed25519). Everything is checked when
 * loaded, so a bad file stops the server at start with a message naming the file and the problem, never at the
 * first client: unreadable files, no certificate, a key in another format (PKCS#1/SEC1/encrypted: the message says
 * how to convert it), and a key that does not belong to the leaf certificate (a test signature is made with the key
 * and verified with the certificate's public key).
 */
public final class PemCredentials {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final int MAX_PEM_BYTES = 1 << 20;

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private PemCredentials(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    /** Reads and checks {@code certFile} and {@code keyFile}; an IllegalArgumentException says what is wrong. */
    public static PemCredentials load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        checkPair(chain.get(0), key, certFile, keyFile);
        return new PemCredentials(chain, key);
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    /** A server-side TLS context (TLS 1.2 and 1.3, the JDK's default ciphers) presenting this identity. */
    public SSLContext serverContext() {
        try {
            char[] none = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, none, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS with this certificate and key: " + e.getMessage(), e);
        }
    }

    private static String read(Path file, String what) {
        try {
            if (Files.size(file) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(what + " " + file + ": larger than 1 MiB, not a PEM file");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(what + " " + file + ": not a text (PEM) file", e);
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        String text = read(file, "TLS certificate");
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                if (!m.group(1).equals("CERTIFICATE")) {
                    continue; // e.g. a key kept in the same file: load() reads it from the key file
                }
                Collection<? extends Certificate> certs = factory.generateCertificates(
                        new ByteArrayInputStream(decode(m.group(2), file, "certificate")));
                for (Certificate c : certs) {
                    chain.add((X509Certificate) c);
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("TLS certificate " + file + ": not a valid X.509 certificate: "
                    + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("TLS certificate " + file
                    + ": no \"-----BEGIN CERTIFICATE-----\" block found");
        }
        return List.copyOf(chain);
    }

    private static PrivateKey privateKey(Path file) {
        String text = read(file, "TLS key");
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(decode(m.group(2), file, "key"), file);
                }
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalArgumentException("TLS key " + file
                        + ": \"" + type + "\" (PKCS#1/SEC1) is not read; convert it to PKCS#8 with: openssl pkcs8 "
                        + "-topk8 -nocrypt -in " + file + " -out key.pem");
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException("TLS key " + file
                        + ": the key is encrypted; give an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt"
                        + " -in " + file + " -out key.pem), readable only by the server's user");
                default -> {
                    // certificates or parameters next to the key: look further
                }
            }
        }
        throw new IllegalArgumentException("TLS key " + file + ": no \"-----BEGIN PRIVATE KEY-----\" (PKCS#8) block"
                + " found");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[]{"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("TLS key " + file
                + ": not a PKCS#8 RSA, EC or Ed25519 private key the JDK can read");
    }

    private static byte[] decode(String base64, Path file, String what) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS " + what + " " + file + ": bad base64 in the PEM block", e);
        }
    }

    /** The key must be the leaf certificate's: sign with it, verify with the certificate. */
    private static void checkPair(X509Certificate leaf, PrivateKey key, Path certFile, Path keyFile) {
        PublicKey pub = leaf.getPublicKey();
        if (!pub.getAlgorithm().equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("TLS key " + keyFile + " (" + key.getAlgorithm()
                    + ") does not match the certificate " + certFile + " (" + pub.getAlgorithm() + " key)");
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return; // RSASSA-PSS: parameters vary; the handshake itself will tell
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("TLS key " + keyFile + " does not belong to the certificate "
                        + certFile + " (its public key is another)");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key " + keyFile + " does not belong to the certificate "
                    + certFile + ": " + e.getMessage(), e);
        }
    }
}
