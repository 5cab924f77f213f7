package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/** Starts the installed {@link MountExtension}s whose options were given, and stops them in reverse order. */
final class MountExtensions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MountExtensions.class);
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    static MountExtensions start(FileSystem fs, Map<String, String> services) throws Exception {
        MountExtensions running = new MountExtensions();
        Set<String> unclaimed = new HashSet<>(services.keySet());
        try {
            for (MountExtension extension : ServiceLoader.load(MountExtension.class)) {
                Map<String, String> mine = new HashMap<>();
                for (String key : extension.optionKeys()) {
                    if (services.containsKey(key)) {
                        mine.put(key, services.get(key));
                        unclaimed.remove(key);
                    }
                }
                if (!mine.isEmpty()) {
                    log.info("starting {} with {}", extension.getClass().getName(), mine);
                    running.started.push(extension.start(fs, mine));
                }
            }
        } catch (Exception e) {
            running.close();
            throw e;
        }
        if (!unclaimed.isEmpty()) {
            log.warn("options {} are reserved for the streaming server, which is not installed in this build; "
                    + "the mount serves files only", unclaimed);
        }
        return running;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable handle = started.pop();
            try {
                handle.close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", handle, e.toString());
            }
        }
    }
}
