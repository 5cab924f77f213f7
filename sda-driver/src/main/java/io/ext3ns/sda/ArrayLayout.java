package io.ext3ns.sda;

import java.util.Locale;

/** How an array places logical blocks on its members. */
public enum ArrayLayout {
    /** The paper's SDA: every logical block is cut into one part per member, so each read uses all members. */
    SPLIT(1),
    /** Whole logical blocks round-robin over the members (RAID 0 with a stripe unit of one block). */
    RAID0(2);

    /** The value stored in the member label. */
    final int code;

    ArrayLayout(int code) {
        this.code = code;
    }

    /** Parses {@code split} or {@code raid0} (any case), as written on command lines. */
    public static ArrayLayout parse(String name) {
        for (ArrayLayout layout : values()) {
            if (layout.label().equalsIgnoreCase(name)) {
                return layout;
            }
        }
        throw new IllegalArgumentException("unknown array layout '" + name + "' (expected split or raid0)");
    }

    static ArrayLayout fromCode(int code) {
        for (ArrayLayout layout : values()) {
            if (layout.code == code) {
                return layout;
            }
        }
        return null;
    }

    /** The name used on command lines and in messages. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Bytes one member holds of one logical block (split: b/N; raid0: b). */
    int partSize(int blockSize, int members) {
        return this == SPLIT ? blockSize / members : blockSize;
    }

    /** How many member requests one logical block becomes. */
    int partsPerBlock(int members) {
        return this == SPLIT ? members : 1;
    }

    @Override
    public String toString() {
        return label();
    }
}
