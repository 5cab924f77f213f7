package io.ext3ns.tools;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.MemberInUseException;
import io.ext3ns.sda.OpenOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An import into an unmounted volume, written offline through fs-core's engine with no FUSE on the way. The members
 * are locked exactly as a mount locks them, so a mounted volume is refused. Each file larger than a block gets its
 * full size by fallocate first (one allocation window: large media files land contiguously), then whole-block
 * writes. Files belong to the importing process's uid and gid.
 */
final class VolumeTarget implements ImportTarget {
    private final Ext3FileSystem fs;
    private final String source;
    /** Absolute path in the volume of the import's root directory, "/" or "/a/b". */
    private final String root;
    private final int uid;
    private final int gid;

    /** The import's root directory {@code root} (absolute in the volume, a directory) on a volume opened by
     * {@link #openVolume}; {@code source} names the volume in messages. Closing the target closes the volume. */
    VolumeTarget(Ext3FileSystem fs, String source, String root) throws IOException {
        this.fs = fs;
        this.source = source;
        this.root = root;
        this.uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        this.gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    }

    /**
     * Opens the volume on {@code members} read-write and locked; refuses (an {@link ImportFailure} before anything is
     * written) a mounted or locked volume, one that is not a usable EXT3NS volume, or one the engine will only open
     * read-only (dirty, errors, unknown features).
     */
    static Ext3FileSystem openVolume(List<Path> members) throws IOException {
        String name = String.join(",", members.stream().map(Path::toString).toList());
        for (Path m : members) {
            if (!Files.exists(m)) {
                throw ImportFailure.refused(m + ": no such file or device");
            }
            Optional<String> mounted = MemberSafety.mountedAt(m);
            if (mounted.isPresent()) {
                throw ImportFailure.refused(m + " " + mounted.get() + "; import into the mount point instead");
            }
        }
        BlockDevice device;
        try {
            device = BlockDevices.open(members, OpenOptions.READ_WRITE.exclusively());
        } catch (MemberInUseException e) {
            throw ImportFailure.refused(name + " is mounted or in use by another EXT3NS tool (" + e.getMessage()
                    + "); import into the mount point instead");
        }
        Ext3FileSystem fs;
        try {
            fs = Ext3FileSystem.open(device, EngineOptions.defaults());
        } catch (IOException | RuntimeException e) {
            device.close();
            throw ImportFailure.refused(name + " does not hold a writable EXT3NS volume: "
                    + ToolRunner.describe(e));
        }
        if (fs.readOnly()) {
            String why = fs.readOnlyReason();
            fs.close();
            throw ImportFailure.refused(name + " can only be opened read-only (" + why + "); run fsck.ext3ns");
        }
        return fs;
    }

    /** True when {@code path} (absolute in the volume) names a directory. */
    static boolean isDirectory(FileSystem fs, String path) throws IOException {
        Attr a = attrOrNull(fs, path);
        return a != null && a.isDirectory();
    }

    /** The attributes of {@code path} (absolute in the volume), or null when nothing is there. */
    private static Attr attrOrNull(FileSystem fs, String path) throws IOException {
        try {
            return fs.getattr(fs.resolve(path));
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return null;
            }
            throw e;
        }
    }

    private String abs(String path) {
        if (path.isEmpty()) {
            return root;
        }
        return root.endsWith("/") ? root + path : root + "/" + path;
    }

    private long parentOf(String path) throws FsException {
        String a = abs(path);
        return fs.resolve(a.substring(0, a.lastIndexOf('/')));
    }

    private static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public Existing existing(String path) throws IOException {
        Attr a = attrOrNull(fs, abs(path));
        if (a == null) {
            return null;
        }
        ImportPlan.Kind kind = a.isDirectory() ? ImportPlan.Kind.DIRECTORY
                : a.isSymlink() ? ImportPlan.Kind.SYMLINK : ImportPlan.Kind.FILE;
        return new Existing(kind, a.isRegular() ? a.size() : 0);
    }

    @Override
    public int blockSize() {
        return fs.blockSize();
    }

    @Override
    public long availableBytes() throws IOException {
        var st = fs.statfs();
        return st.availableBlocks() * st.blockSize();
    }

    @Override
    public long freeInodes() throws IOException {
        return fs.statfs().freeInodes();
    }

    @Override
    public void mkdir(String path, int mode) throws IOException {
        fs.mkdir(parentOf(path), nameOf(path), mode, uid, gid);
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        fs.symlink(parentOf(path), nameOf(path), target, uid, gid);
    }

    @Override
    public FileWriter create(String path, int mode, long size) throws IOException {
        long ino = fs.create(parentOf(path), nameOf(path), mode, uid, gid);
        FileHandle handle = fs.open(ino, true);
        try {
            // the whole file in one allocation, so it lands in contiguous runs; a file of one block has nothing to
            // keep together, and fallocate would write its block twice (zeros first: ext3 has no unwritten blocks)
            if (size > fs.blockSize()) {
                fs.fallocate(handle, 0, size);
            }
        } catch (IOException | RuntimeException e) {
            fs.release(handle);
            throw e;
        }
        return new FileWriter() {
            private long offset;

            @Override
            public void write(ByteBuffer data) throws IOException {
                offset += fs.write(handle, offset, data);
            }

            @Override
            public void close() throws IOException {
                fs.release(handle);
            }
        };
    }

    @Override
    public void remove(String path) throws IOException {
        fs.unlink(parentOf(path), nameOf(path));
    }

    @Override
    public void setAttributes(String path, ImportPlan.Kind kind, int mode, FileTime atime, FileTime mtime)
            throws IOException {
        long ino = fs.resolve(abs(path));
        if (kind != ImportPlan.Kind.SYMLINK) {
            fs.chmod(ino, mode);
        }
        fs.utimens(ino, atime.to(TimeUnit.NANOSECONDS), mtime.to(TimeUnit.NANOSECONDS));
    }

    @Override
    public String describe(String path) {
        return source + ":" + abs(path);
    }

    /** Writes back everything and unmounts cleanly (the engine owns the device and closes it). */
    @Override
    public void close() throws IOException {
        fs.close();
    }
}
