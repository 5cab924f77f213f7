package io.ext3ns.fs.disk;

/**
 * One extended attribute as ext3 stores it: the name index (its namespace, see {@link XattrName}), the name without
 * its prefix, the value, and the e_hash read from disk (0 for an entry not read from disk; the encoder computes it).
 */
public record XattrEntry(int index, byte[] name, byte[] value, int storedHash) {
    public XattrEntry(int index, byte[] name, byte[] value) {
        this(index, name, value, 0);
    }

    /** Same namespace and name. */
    public boolean sameName(int otherIndex, byte[] otherName) {
        return index == otherIndex && java.util.Arrays.equals(name, otherName);
    }

    /** Bytes this entry takes in a region: its entry record plus its padded value. */
    public int footprint() {
        return ExtendedAttributes.entryLen(name.length) + ExtendedAttributes.valueLen(value.length);
    }

    /**
     * ext3's order of entries in a block (the kernel searches a block's entries in this order and stops early):
     * name index, then name length, then the name's bytes.
     */
    static int compare(XattrEntry a, XattrEntry b) {
        int c = Integer.compare(a.index, b.index);
        if (c == 0) {
            c = Integer.compare(a.name.length, b.name.length);
        }
        return c != 0 ? c : java.util.Arrays.compareUnsigned(a.name, b.name);
    }
}
