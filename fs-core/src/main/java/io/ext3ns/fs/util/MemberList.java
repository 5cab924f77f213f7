package io.ext3ns.fs.util;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The members of a volume as command lines give them: separate arguments ("m0 m1"), comma-separated lists
 * ("m0,m1") or both. Order is array order. Shared by mkfs, fsck, dump, mount and the server.
 */
public final class MemberList {
    private MemberList() {
    }

    public static List<Path> parse(List<String> args) {
        List<Path> out = new ArrayList<>();
        for (String arg : args) {
            for (String part : arg.split(",")) {
                if (!part.isBlank()) {
                    out.add(Path.of(part.trim()));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no member given");
        }
        for (int i = 0; i < out.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (out.get(i).toAbsolutePath().normalize().equals(out.get(j).toAbsolutePath().normalize())) {
                    throw new IllegalArgumentException("member " + out.get(i) + " is given twice");
                }
            }
        }
        return out;
    }
}
