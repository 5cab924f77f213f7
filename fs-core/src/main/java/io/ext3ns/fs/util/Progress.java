package io.ext3ns.fs.util;

/**
 * Told how far a long job has got, stage by stage: mkfs's groups, fsck's passes, an import's bytes. The worker
 * announces each stage with {@link #stage} and reports work done in it with {@link #update}; the tool that started
 * the job calls {@link #finish} once at the end (also after a failure). mkfs-tool's ProgressBar draws it on a
 * terminal; {@link #NONE} does nothing, so workers report unconditionally and pay one empty call when nobody looks.
 */
public interface Progress {
    /** What a stage counts; the renderer shows bytes as MiB with a rate and the others as "done/total unit". */
    enum Unit {
        GROUPS("groups"),
        INODES("inodes"),
        DIRECTORIES("directories"),
        BYTES("bytes");

        private final String label;

        Unit(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    Progress NONE = new Progress() {
        @Override
        public void stage(String title, Unit unit, long total) {
        }

        @Override
        public void update(long done) {
        }

        @Override
        public void finish() {
        }
    };

    /** A new stage begins (the previous one, if any, is complete) with {@code total} units of work to do. */
    void stage(String title, Unit unit, long total);

    /** {@code done} units of the current stage are complete (0..total, never decreasing within a stage). */
    void update(long done);

    /** What is being worked on now (the file an import copies), shown next to the bar. */
    default void item(String name) {
    }

    /** The job is over, finished or failed: end the output cleanly. Calling it again does nothing. */
    void finish();
}
