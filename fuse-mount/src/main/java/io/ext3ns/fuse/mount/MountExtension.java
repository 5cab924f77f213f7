package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.FileSystem;

import java.util.Map;
import java.util.Set;

/**
 * Something the mounting process runs next to the mount, over the same engine: the streaming server (rtsp=PORT,
 * http=PORT) is the one planned. Implementations are found with {@link java.util.ServiceLoader}: list the class in
 * fuse-mount's {@code META-INF/services/io.ext3ns.fuse.mount.MountExtension}.
 *
 * <p>Lifecycle: {@link #start} runs once the mount is live (before mount.ext3ns reports success), with only the
 * options named by {@link #optionKeys()} that were given; the returned handle is closed at unmount, before the
 * engine is flushed and closed. A failing start fails the mount.
 */
public interface MountExtension {
    /** The -o keys this extension serves, from {@link MountOptions#SERVICE_KEYS}. */
    Set<String> optionKeys();

    AutoCloseable start(FileSystem fs, Map<String, String> options) throws Exception;
}
