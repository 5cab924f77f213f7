package io.ext3ns.fs.util.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger whose every event is one line: {"ts":"2026-12-07T17:03:15.681Z","level":"INFO","thread":"main",
 * "logger":"io.ext3ns...","msg":"...","error":"stack trace"} (error only with a throwable). Strings are escaped as
 * JSON requires (quotes, backslashes, control characters), so a message with line feeds stays one line.
 */
final class JsonLogger extends AbstractLogger {
    /** Where lines go: one whole line per call, so lines of concurrent threads never interleave. */
    @FunctionalInterface
    interface Sink {
        Sink STDERR = line -> System.err.print(line); // PrintStream.print of one String is atomic per call

        void write(String line);
    }

    private final Level threshold;
    private final Sink sink;

    JsonLogger(String name, Level threshold, Sink sink) {
        this.name = name;
        this.threshold = threshold;
        this.sink = sink;
    }

    private boolean on(Level level) {
        return level.toInt() >= threshold.toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return on(Level.TRACE);
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return on(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return on(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(Level.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return on(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(Level.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return on(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(Level.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return on(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
            Throwable throwable) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"ts\":\"").append(Instant.now()).append("\",\"level\":\"").append(level)
                .append("\",\"thread\":");
        quote(b, Thread.currentThread().getName());
        b.append(",\"logger\":");
        quote(b, name);
        b.append(",\"msg\":");
        quote(b, MessageFormatter.basicArrayFormat(pattern, args));
        if (throwable != null) {
            StringWriter trace = new StringWriter();
            throwable.printStackTrace(new PrintWriter(trace));
            b.append(",\"error\":");
            quote(b, trace.toString());
        }
        sink.write(b.append("}\n").toString());
    }

    /** {@code s} as a JSON string (RFC 8259): quotes, backslashes and control characters escaped. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
        }
        b.append('"');
    }
}
