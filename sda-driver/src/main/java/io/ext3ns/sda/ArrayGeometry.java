package io.ext3ns.sda;

/**
 * Where each logical block of an array lives on its members.
 *
 * <p>split: block k is cut into N parts of b/N; part i is on member i at {@code dataOffset + k·(b/N)} and is bytes
 * {@code [i·b/N, (i+1)·b/N)} of the block. raid0: block k is whole on member {@code k mod N} at
 * {@code dataOffset + (k div N)·b}.
 *
 * @param memberDataSize bytes of every member's data region the array uses (a multiple of partSize)
 */
public record ArrayGeometry(ArrayLayout layout, int memberCount, int blockSize, int partSize, long dataOffset,
                            long memberDataSize) {

    /** Receives one member part of a logical block. */
    @FunctionalInterface
    interface PartSink {
        void part(int member, long memberOffset, int offsetInBlock, int length);
    }

    /** Logical blocks the array holds. */
    public long blockCount() {
        return memberDataSize / partSize * memberCount / layout.partsPerBlock(memberCount);
    }

    /** Logical size in bytes (labels excluded). */
    public long size() {
        return blockCount() * blockSize;
    }

    /** Member requests one logical block becomes. */
    int partsPerBlock() {
        return layout.partsPerBlock(memberCount);
    }

    /** Hands every part of logical block {@code block} to {@code sink}. */
    void mapBlock(long block, PartSink sink) {
        if (layout == ArrayLayout.SPLIT) {
            long memberOffset = dataOffset + block * partSize;
            for (int i = 0; i < memberCount; i++) {
                sink.part(i, memberOffset, i * partSize, partSize);
            }
        } else {
            sink.part((int) (block % memberCount), dataOffset + block / memberCount * blockSize, 0, blockSize);
        }
    }
}
