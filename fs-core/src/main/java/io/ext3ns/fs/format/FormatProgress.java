package io.ext3ns.fs.format;

/** Told how far a format has got, in groups written; mkfs draws its progress bar from it. */
@FunctionalInterface
public interface FormatProgress {
    FormatProgress NONE = (done, total) -> { };

    void update(long done, long total);
}
