package io.ext3ns.stream.origin;

import io.ext3ns.stream.content.UpstreamUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An S3 origin ({@code s3://BUCKET/PREFIX}) through the AWS SDK for Java v2: SigV4-signed HEAD and ranged GET
 * (the ETag checked on every answer), path-style addressing when an endpoint is given (MinIO, Ceph RGW, s3proxy), the
 * JDK's HttpURLConnection as the transport.
 */
public final class S3Origin implements Origin {
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String described;

    /**
     * @param endpoint    the S3 API's base URL for a self-hosted store (path-style), or null for AWS
     * @param credentials access key and secret, or null for the SDK's default chain (environment, profile)
     */
    public S3Origin(String bucket, String prefix, URI endpoint, String region, AwsBasicCredentials credentials) {
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("s3 origin without a bucket");
        }
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? nullToEmpty(prefix) : prefix + "/";
        AwsCredentialsProvider provider = credentials == null ? DefaultCredentialsProvider.create()
                : StaticCredentialsProvider.create(credentials);
        S3ClientBuilder b = S3Client.builder().httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(region == null ? "us-east-1" : region)).credentialsProvider(provider)
                // no "x-amz-te: append-md5" trailer on GETs: stores other than AWS (s3proxy) refuse it with 501
                .serviceConfiguration(S3Configuration.builder().checksumValidationEnabled(false).build());
        if (endpoint != null) {
            b.endpointOverride(endpoint).forcePathStyle(true);
        }
        this.s3 = b.build();
        this.described = "s3://" + bucket + "/" + this.prefix + (endpoint == null ? "" : " at " + endpoint);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public OriginObject head(String key) throws IOException {
        try {
            HeadObjectResponse r = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(prefix + key).build());
            long modified = r.lastModified() == null ? 0 : r.lastModified().toEpochMilli();
            return new OriginObject(r.contentLength(), r.eTag(), modified);
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw new UpstreamUnavailableException(described + " answered HEAD " + key + " with "
                    + e.statusCode() + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new UpstreamUnavailableException(described + " unreachable for " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream get(String key, OriginObject version, long start, long end) throws IOException {
        if (start < 0 || end > version.size() || start >= end) {
            throw new IllegalArgumentException("bad range " + start + "-" + end + " of " + version.size());
        }
        GetObjectRequest.Builder b = GetObjectRequest.builder().bucket(bucket).key(prefix + key)
                .range("bytes=" + start + "-" + (end - 1));
        try {
            // the ETag is compared here, not sent as If-Match: self-hosted stores (s3proxy) refuse that header
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b.build());
            String etag = in.response().eTag();
            if (!version.etag().isEmpty() && etag != null && !etag.equals(version.etag())) {
                in.abort();
                throw new UpstreamUnavailableException(described + ": " + key + " changed during its fill (ETag "
                        + version.etag() + ", now " + etag + ")");
            }
            return in;
        } catch (S3Exception e) {
            throw new UpstreamUnavailableException(described + " answered GET " + key + " with " + e.statusCode()
                    + (e.statusCode() == 412 ? " (the object changed)" : "") + ": " + e.getMessage(), e);
        } catch (SdkClientException e) {
            throw new UpstreamUnavailableException(described + " unreachable for " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return described;
    }

    @Override
    public void close() {
        s3.close();
    }
}
