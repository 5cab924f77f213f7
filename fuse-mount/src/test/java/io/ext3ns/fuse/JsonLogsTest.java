package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.util.log.JsonLine;
import io.ext3ns.stream.server.ServeMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EXT3NS_LOG_FORMAT=json as the launchers apply it (-Dslf4j.provider=...JsonLogProvider): a real ext3ns-serve's log
 * is one JSON object a line, slf4j-simple's plain format nowhere, and its start-up INFO lines are there with their
 * logger names.
 */
class JsonLogsTest {
    @Test
    void serveLogsOneJsonObjectALine(@TempDir Path tmp) throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("img"), 64L << 20, 4096);
        Path conf = tmp.resolve("ext3ns.conf");
        Files.writeString(conf, "serve.members = " + image + "\nserve.rtsp = -1\nserve.http = 0\nserve.pool-mb = 16\n");
        Path log = tmp.resolve("serve.log");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            Process serve = socket.startService(List.of("-Dslf4j.provider=io.ext3ns.fs.util.log.JsonLogProvider",
                            "-Dslf4j.internal.verbosity=WARN"), // as bin/ext3ns-launch: no SLF4J(I) line
                    List.of(ServeMain.class.getName()), Map.of("EXT3NS_CONF", conf.toString()), log);
            try {
                assertTrue(socket.receive(serve, 90).startsWith("READY=1"));
            } finally {
                serve.destroy();
                assertTrue(serve.waitFor(90, TimeUnit.SECONDS));
            }
        }
        List<String> lines = Files.readAllLines(log);
        // stdout's one line ("ext3ns-serve: http://...") is the command's output, not a log event
        List<String> events = lines.stream().filter(l -> !l.startsWith("ext3ns-serve: ")).toList();
        assertTrue(events.size() >= 1, String.join("\n", lines));
        boolean pool = false;
        for (String line : events) {
            Map<String, String> o = JsonLine.parse(line);
            assertEquals(List.of("ts", "level", "thread", "logger", "msg"),
                    List.copyOf(o.keySet()).subList(0, 5), line);
            pool |= o.get("logger").equals(ServeMain.class.getName()) && o.get("level").equals("INFO")
                    && o.get("msg").contains(": block cache of ");
        }
        assertTrue(pool, "the block cache's start-up line is missing:\n" + String.join("\n", lines));
    }
}
