package io.ext3ns.fs.engine;

import io.ext3ns.fs.metadata.MetadataWriter;
import java.io.IOException;

/**
 * The journal-less {@link MetadataWriter}: a flush first (the file data written before makes it to the media before
 * any metadata pointing at it: ordered, as far as a journal-less volume can be), then blocks go home immediately,
 * and commit flushes the device.
 */
public final class DirectMetadataWriter implements MetadataWriter {
    private final BlockIo io;

    public DirectMetadataWriter(BlockIo io) {
        this.io = io;
    }

    @Override
    public Transaction begin() throws IOException {
        io.flush();
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
