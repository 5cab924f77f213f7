package io.ext3ns.stream.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A scrape parsed strictly as Prometheus text format 0.0.4: every line is a {@code # HELP}/{@code # TYPE} comment
 * or {@code name{label="value",...} value}; a sample must belong to a family declared before it. Samples are kept by
 * their series key, e.g. {@code ext3ns_cache_hits_total{cache="inode"}}.
 */
public final class PrometheusScrape {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(NaN|[+-]Inf|-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) "
            + "(counter|gauge|histogram|summary|untyped)");

    private final Map<String, Double> series = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();

    private PrometheusScrape() {
    }

    public static PrometheusScrape parse(String text) {
        PrometheusScrape s = new PrometheusScrape();
        assertTrue(text.endsWith("\n"), "a scrape ends with a line feed");
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                if (s.types.put(type.group(1), type.group(2)) != null) {
                    fail("family declared twice: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                fail("not a Prometheus 0.0.4 line: '" + line + "'");
            }
            String name = m.group(1);
            String family = s.types.containsKey(name) ? name : name.replaceFirst("_(bucket|sum|count)$", "");
            assertTrue(s.types.containsKey(family), "sample before its # TYPE: " + line);
            String key = name + (m.group(2) == null ? "" : m.group(2).replace(",}", "}"));
            if (s.series.put(key, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))) != null) {
                fail("series twice: " + key);
            }
        }
        return s;
    }

    /** The value of one series; fails when it is absent. */
    public double value(String key) {
        Double v = series.get(key);
        if (v == null) {
            fail("no series " + key + " in " + series.keySet());
        }
        return v;
    }

    public boolean has(String key) {
        return series.containsKey(key);
    }

    /** The sum over every series of family {@code name} (all label sets). */
    public double sum(String name) {
        return series.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    public String type(String family) {
        return types.get(family);
    }

    /** Every series as NAME{labels}, in scrape order. */
    public java.util.Set<String> seriesKeys() {
        return java.util.Collections.unmodifiableSet(series.keySet());
    }
}
