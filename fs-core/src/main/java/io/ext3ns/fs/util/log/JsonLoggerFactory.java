package io.ext3ns.fs.util.log;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** One {@link JsonLogger} per name, all at the level the provider read, all writing to one sink. */
final class JsonLoggerFactory implements ILoggerFactory {
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final JsonLogger.Sink sink;
    private final Level level;

    JsonLoggerFactory(JsonLogger.Sink sink, String level) {
        this.sink = sink;
        this.level = parse(level);
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new JsonLogger(n, level, sink));
    }

    /** slf4j-simple's level names; "off" logs nothing above ERROR (there is none), unknown names mean info. */
    static Level parse(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "warn" -> Level.WARN;
            case "error", "off" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
