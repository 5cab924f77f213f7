package io.ext3ns.stream.metrics;

import io.ext3ns.stream.metrics.PrometheusWriter.Type;
import io.ext3ns.stream.testing.PrometheusScrape;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PrometheusWriterTest {
    @Test
    void writesHelpTypeAndEscapedSamples() {
        String text = new PrometheusWriter()
                .single("a_total", Type.COUNTER, "Things\\done\nso far.", 42)
                .family("b", Type.GAUGE, "Labelled.")
                .sample("b", 1.5, "path", "x\"y\\z\nw", "member", "0")
                .sample("b", Double.POSITIVE_INFINITY)
                .text();
        assertEquals("""
                # HELP a_total Things\\\\done\\nso far.
                # TYPE a_total counter
                a_total 42
                # HELP b Labelled.
                # TYPE b gauge
                b{path="x\\"y\\\\z\\nw",member="0"} 1.5
                b +Inf
                """, text);
        PrometheusScrape scrape = PrometheusScrape.parse(text);
        assertEquals(42, scrape.value("a_total"));
        assertEquals(1.5, scrape.value("b{path=\"x\\\"y\\\\z\\nw\",member=\"0\"}"));
    }

    @Test
    void refusesBadNamesAndOddLabels() {
        PrometheusWriter w = new PrometheusWriter();
        assertThrows(IllegalArgumentException.class, () -> w.family("1bad", Type.GAUGE, "x"));
        assertThrows(IllegalArgumentException.class, () -> w.sample("ok", 1, "odd"));
        assertThrows(IllegalArgumentException.class, () -> w.sample("ok", 1, "bad-label", "v"));
        assertThrows(IllegalArgumentException.class, () -> w.sample("ok", 1, "__reserved", "v"));
    }

    @Test
    void unknownMethodsShareOneLabel() {
        RequestCounts counts = new RequestCounts(Set.of("GET"));
        counts.count("GET", 200);
        counts.count("GET", 200);
        counts.count("BREW", 405);
        counts.count("WHEN", 405);
        counts.count(null, 400);
        assertEquals(Map.of(new RequestCounts.Key("GET", 200), 2L, new RequestCounts.Key("other", 405), 2L,
                new RequestCounts.Key("other", 400), 1L), counts.snapshot());
    }
}
