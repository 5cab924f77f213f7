package io.ext3ns.stream.feed;

import io.ext3ns.stream.source.MediaSource;

/** The cursor both feeds share: position, the size of the payload last peeked, and seek validation. */
abstract class SequentialFeed implements PayloadFeed {
    protected final MediaSource source;
    protected long position;
    private int peekedBytes;

    SequentialFeed(MediaSource source) {
        this.source = source;
    }

    /** Bytes of the next payload: 7 TS packets, fewer at the end of the file. */
    protected int nextPayloadBytes() {
        return (int) Math.min(Payload.MAX_BYTES, source.size() - position);
    }

    /** Records a successful peek of {@code bytes}. */
    protected void peeked(int bytes) {
        peekedBytes = bytes;
    }

    @Override
    public final void advance() {
        if (peekedBytes == 0) {
            throw new IllegalStateException("advance without a successful peek");
        }
        position += peekedBytes;
        peekedBytes = 0;
        advanced();
    }

    /** Called after the position moved past the payload last peeked. */
    protected abstract void advanced();

    @Override
    public final void seek(long offset) {
        Payload.checkSeekOffset(source, offset);
        position = offset;
        peekedBytes = 0;
        moved(offset);
    }

    /** Called after a seek to {@code offset}. */
    protected abstract void moved(long offset);

    @Override
    public long position() {
        return position;
    }
}
