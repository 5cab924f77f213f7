package io.ext3ns.fs.engine;

import java.io.IOException;

/** The journal-less {@link MetadataWriter}: blocks go home immediately, commit flushes the device. */
public final class DirectMetadataWriter implements MetadataWriter {
    private final BlockIo io;

    public DirectMetadataWriter(BlockIo io) {
        this.io = io;
    }

    @Override
    public Transaction begin() {
        return new Transaction() {
            @Override
            public void write(long blockNr, byte[] block) throws IOException {
                io.writeBlock(blockNr, block);
            }

            @Override
            public void commit() throws IOException {
                io.flush();
            }
        };
    }
}
