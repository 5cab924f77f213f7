package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseOps;
import io.ext3ns.fuse.ops.FuseRequestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One mount served on /dev/fuse: open the device, mount(2) it, negotiate INIT (request size, capabilities), then
 * read requests and write replies on several worker threads, each on its own clone of the descriptor (the kernel
 * then queues to whichever worker reads), until the kernel ends the session (unmount: DESTROY, then ENODEV).
 */
final class KernelSession {
    private static final Logger log = LoggerFactory.getLogger(KernelSession.class);
    private static final int PAGE = 4096;
    /** 2 MiB: one request is one block at the default block size. */
    static final int WANTED_PAGES = 512;
    private static final int HEADROOM = 64 * 1024;
    private static final int EPROTO = 71;

    private final Path mountPoint;
    private final String fsName;
    private final List<String> options;
    private final FuseOps ops;
    private final int workers;
    private int maxPages;
    private Operations operations;

    KernelSession(Path mountPoint, String fsName, List<String> options, FuseOps ops, int workers) {
        this.mountPoint = mountPoint;
        this.fsName = fsName;
        this.options = options;
        this.ops = ops;
        this.workers = workers;
    }

    /** Serves until unmounted; 0 after a normal end, 1 when the mount could not be made or INIT failed. */
    int run() {
        if (ops.inodes() == null) {
            log.error("transport=kernel needs the file system by inode; this FuseOps has no inode view");
            return 1;
        }
        maxPages = KernelMount.maxPages(WANTED_PAGES);
        int fd;
        try {
            fd = DevFuse.openDevice();
        } catch (IllegalStateException | LinkageError e) {
            log.error("cannot serve through /dev/fuse: {}", e.getMessage());
            return 1;
        }
        try {
            KernelMount.mount(mountPoint, fsName, options, fd);
        } catch (IllegalStateException e) {
            log.error("{}", e.getMessage());
            DevFuse.libc().close(fd);
            return 1;
        }
        List<Thread> threads = new ArrayList<>();
        try {
            Worker first = new Worker(fd, newBuffer(readBufferSize()), newBuffer(replyBufferSize()));
            if (!first.init()) {
                KernelMount.unmount(mountPoint);
                return 1;
            }
            ByteBuffer scratch = newBuffer(8);
            for (int i = 1; i < workers; i++) {
                int clone = DevFuse.cloneDevice(fd, scratch);
                Worker w = new Worker(clone, newBuffer(readBufferSize()), newBuffer(replyBufferSize()));
                threads.add(start(w, i));
            }
            first.loop();
            for (Thread t : threads) {
                joinUninterruptibly(t);
            }
            return 0;
        } catch (IllegalStateException e) {
            log.error("serving {} failed: {}", mountPoint, e.getMessage());
            KernelMount.unmount(mountPoint);
            for (Thread t : threads) {
                joinUninterruptibly(t);
            }
            return 1;
        } finally {
            DevFuse.libc().close(fd);
            ops.destroy();
        }
    }

    private static Thread start(Worker w, int index) {
        Thread t = new Thread(() -> {
            try {
                w.loop();
            } finally {
                DevFuse.libc().close(w.fd);
            }
        }, "fuse-kernel-" + index);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private int readBufferSize() {
        return Math.max(FuseProtocol.MIN_READ_BUFFER, maxPages * PAGE + HEADROOM);
    }

    private int replyBufferSize() {
        return maxPages * PAGE + HEADROOM;
    }

    private static ByteBuffer newBuffer(int size) {
        return ByteBuffer.allocateDirect(size);
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One reader of the device: its descriptor and buffers. */
    private final class Worker {
        final int fd;
        final Request request;
        final Reply reply;
        final ByteBuffer in;

        Worker(int fd, ByteBuffer in, ByteBuffer out) {
            this.fd = fd;
            this.in = in;
            this.request = new Request(in);
            this.reply = new Reply(out);
        }

        /** Reads the kernel's INIT and answers it; false (logged) when the session cannot start. */
        boolean init() {
            while (true) {
                long n = DevFuse.read(fd, in);
                if (n < 0) {
                    if (retry((int) -n)) {
                        continue;
                    }
                    log.error("reading INIT from /dev/fuse failed: {}", DevFuse.describe((int) -n));
                    return false;
                }
                if (!request.parse((int) n) || request.opcode != FuseProtocol.INIT) {
                    log.error("the kernel's first FUSE request is not INIT");
                    return false;
                }
                try {
                    Init.Negotiated init = Init.answer(request, reply.begin(), options, maxPages);
                    operations = new Operations(ops, new NodeTable(), Timeouts.of(options), init.openFlags(),
                            new Notifier(fd));
                    send(reply.finish(request.unique, 0));
                    log.info("serving {} on /dev/fuse: protocol 7.{}, requests up to {} KiB, {} workers", mountPoint,
                            init.minor(), init.maxWrite() / 1024, workers);
                    return true;
                } catch (FsException | IllegalArgumentException e) {
                    log.error("FUSE INIT failed: {}", e.getMessage());
                    send(reply.begin().finish(request.unique, -EPROTO));
                    return false;
                }
            }
        }

        void loop() {
            while (true) {
                long n = DevFuse.read(fd, in);
                if (n < 0) {
                    int e = (int) -n;
                    if (retry(e)) {
                        continue;
                    }
                    if (e != DevFuse.ENODEV) {
                        log.error("reading /dev/fuse failed: {}", DevFuse.describe(e));
                    }
                    return;
                }
                if (!request.parse((int) n)) {
                    log.error("a FUSE request of {} bytes does not match its header; ignored", n);
                    continue;
                }
                long start = System.nanoTime();
                int rc;
                try {
                    rc = operations.handle(request, reply.begin());
                } catch (FsException e) {
                    rc = -e.errno().code();
                } catch (RuntimeException e) {
                    log.error("FUSE request {} failed", OpNames.of(request.opcode), e);
                    rc = -io.ext3ns.fs.api.Errno.EIO.code();
                }
                if (rc == Operations.NO_REPLY) {
                    continue;
                }
                FuseRequestMetrics.PROCESS.record(OpNames.of(request.opcode), System.nanoTime() - start, rc < 0);
                send(reply.finish(request.unique, rc));
            }
        }

        private void send(int length) {
            long w = DevFuse.write(fd, reply.buf, length);
            // ENOENT: the request was interrupted and is gone; nothing to answer
            if (w < 0 && -w != DevFuse.ENOENT && -w != DevFuse.ENODEV) {
                log.warn("writing a FUSE reply failed: {}", DevFuse.describe((int) -w));
            }
        }

        private boolean retry(int errno) {
            return errno == DevFuse.EINTR || errno == DevFuse.EAGAIN || errno == DevFuse.ENOENT;
        }
    }
}
