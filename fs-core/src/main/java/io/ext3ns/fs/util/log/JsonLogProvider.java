package io.ext3ns.fs.util.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J provider that writes one JSON object a line to stderr, for log shippers. Chosen by the launchers when
 * EXT3NS_LOG_FORMAT=json ({@code -Dslf4j.provider=io.ext3ns.fs.util.log.JsonLogProvider}); otherwise slf4j-simple
 * writes its plain lines as before. The level is slf4j-simple's property, so one setting serves both:
 * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=debug} (default info).
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
    private final BasicMarkerFactory markers = new BasicMarkerFactory();
    private final NOPMDCAdapter mdc = new NOPMDCAdapter();
    private JsonLoggerFactory factory;

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        factory = new JsonLoggerFactory(JsonLogger.Sink.STDERR,
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "info"));
    }
}
