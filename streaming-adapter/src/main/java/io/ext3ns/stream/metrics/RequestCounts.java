package io.ext3ns.stream.metrics;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests answered, by method and status code. A method not in the known set counts as "other", so a client
 * sending made-up methods cannot grow the label set (and the scrape) without bound. Thread-safe.
 */
public final class RequestCounts {
    public static final String OTHER = "other";

    /** One label pair of the counter. */
    public record Key(String method, int status) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = method.compareTo(o.method);
            return c != 0 ? c : Integer.compare(status, o.status);
        }
    }

    private final Set<String> methods;
    private final ConcurrentHashMap<Key, LongAdder> counts = new ConcurrentHashMap<>();

    public RequestCounts(Set<String> knownMethods) {
        this.methods = Set.copyOf(knownMethods);
    }

    /** Counts one answer; {@code method} null (the request did not parse) counts as "other". */
    public void count(String method, int status) {
        String m = method != null && methods.contains(method) ? method : OTHER;
        counts.computeIfAbsent(new Key(m, status), k -> new LongAdder()).increment();
    }

    private final LongAdder bodyBytes = new LongAdder();

    /** Counts body bytes handed to a connection (file bodies: downloads and HLS segments). */
    public void addBodyBytes(long n) {
        bodyBytes.add(n);
    }

    public long bodyBytes() {
        return bodyBytes.sum();
    }

    /** A sorted copy: key → requests so far. */
    public Map<Key, Long> snapshot() {
        Map<Key, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
