package io.ext3ns.stream.origin;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.BlockCacheStats;
import io.ext3ns.fs.api.CacheStats;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.MetricsSource;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.sda.MemberExtent;
import io.ext3ns.sda.MemberLatency;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link FileSystem} that passes every call to another one; {@link OriginStore} overrides the few calls an origin
 * changes. It is a {@link MetricsSource} too, so /metrics still sees the engine's caches and array behind it.
 */
abstract class ForwardingFileSystem implements FileSystem, MetricsSource {
    protected final FileSystem fs;

    ForwardingFileSystem(FileSystem fs) {
        this.fs = fs;
    }

    @Override
    public long lookup(long dirIno, String name) throws FsException {
        return fs.lookup(dirIno, name);
    }

    @Override
    public Attr getattr(long ino) throws FsException {
        return fs.getattr(ino);
    }

    @Override
    public List<DirEntry> readdir(long dirIno) throws FsException {
        return fs.readdir(dirIno);
    }

    @Override
    public long mkdir(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        return fs.mkdir(parentIno, name, mode, uid, gid);
    }

    @Override
    public void rmdir(long parentIno, String name) throws FsException {
        fs.rmdir(parentIno, name);
    }

    @Override
    public long create(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        return fs.create(parentIno, name, mode, uid, gid);
    }

    @Override
    public void unlink(long parentIno, String name) throws FsException {
        fs.unlink(parentIno, name);
    }

    @Override
    public void rename(long srcParentIno, String srcName, long dstParentIno, String dstName) throws FsException {
        fs.rename(srcParentIno, srcName, dstParentIno, dstName);
    }

    @Override
    public void link(long ino, long newParentIno, String newName) throws FsException {
        fs.link(ino, newParentIno, newName);
    }

    @Override
    public long symlink(long parentIno, String name, String target, int uid, int gid) throws FsException {
        return fs.symlink(parentIno, name, target, uid, gid);
    }

    @Override
    public String readlink(long ino) throws FsException {
        return fs.readlink(ino);
    }

    @Override
    public void chmod(long ino, int mode) throws FsException {
        fs.chmod(ino, mode);
    }

    @Override
    public void chown(long ino, int uid, int gid) throws FsException {
        fs.chown(ino, uid, gid);
    }

    @Override
    public void utimens(long ino, long atimeNanos, long mtimeNanos) throws FsException {
        fs.utimens(ino, atimeNanos, mtimeNanos);
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        fs.truncate(ino, size);
    }

    @Override
    public StatFs statfs() throws FsException {
        return fs.statfs();
    }

    @Override
    public FileHandle open(long ino, boolean write) throws FsException {
        return fs.open(ino, write);
    }

    @Override
    public int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        return fs.read(handle, offset, dst);
    }

    @Override
    public int write(FileHandle handle, long offset, ByteBuffer src) throws FsException {
        return fs.write(handle, offset, src);
    }

    @Override
    public void fallocate(FileHandle handle, long offset, long length) throws FsException {
        fs.fallocate(handle, offset, length);
    }

    @Override
    public void fsync(FileHandle handle) throws FsException {
        fs.fsync(handle);
    }

    @Override
    public void flush(FileHandle handle) throws FsException {
        fs.flush(handle);
    }

    @Override
    public void release(FileHandle handle) throws FsException {
        fs.release(handle);
    }

    @Override
    public int readDirect(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        return fs.readDirect(handle, offset, dst);
    }

    @Override
    public List<MemberExtent> locateDirect(FileHandle handle, long offset, long length) throws FsException {
        return fs.locateDirect(handle, offset, length);
    }

    @Override
    public long mknod(long parentIno, String name, int mode, int rdev, int uid, int gid) throws FsException {
        return fs.mknod(parentIno, name, mode, rdev, uid, gid);
    }

    @Override
    public void exchange(long aParentIno, String aName, long bParentIno, String bName) throws FsException {
        fs.exchange(aParentIno, aName, bParentIno, bName);
    }

    @Override
    public void fallocate(FileHandle handle, int mode, long offset, long length) throws FsException {
        fs.fallocate(handle, mode, offset, length);
    }

    @Override
    public void clearSetIdForWrite(long ino, int callerGid) throws FsException {
        fs.clearSetIdForWrite(ino, callerGid);
    }

    @Override
    public int cacheUnitBytes() {
        return fs.cacheUnitBytes();
    }

    @Override
    public CompletableFuture<CachedBlock> leaseAsync(FileHandle handle, long unit) {
        return fs.leaseAsync(handle, unit);
    }

    @Override
    public BlockCacheStats blockCacheStats() {
        return fs.blockCacheStats();
    }

    @Override
    public byte[] getxattr(long ino, String name) throws FsException {
        return fs.getxattr(ino, name);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        fs.setxattr(ino, name, value, flags);
    }

    @Override
    public List<String> listxattr(long ino) throws FsException {
        return fs.listxattr(ino);
    }

    @Override
    public void removexattr(long ino, String name) throws FsException {
        fs.removexattr(ino, name);
    }

    @Override
    public int blockSize() {
        return fs.blockSize();
    }

    @Override
    public void sync() throws IOException {
        fs.sync();
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }

    @Override
    public List<CacheStats> cacheStats() {
        return fs instanceof MetricsSource m ? m.cacheStats() : List.of();
    }

    @Override
    public int[] deviceQueueDepths() {
        return fs instanceof MetricsSource m ? m.deviceQueueDepths() : new int[0];
    }

    @Override
    public List<MemberLatency> deviceRequestLatencies() {
        return fs instanceof MetricsSource m ? m.deviceRequestLatencies() : List.of();
    }
}
