package io.binaryrepo.gomod;

import java.util.ArrayList;
import java.util.List;

/**
 * A tile of a checksum database's transparency log ({@code golang.org/x/mod/sumdb/tlog.Tile}):
 * {@code tile/H/L/NNN} for a full tile, {@code tile/H/L/NNN.p/W} for a partial one holding the first
 * {@code W} hashes, with {@code L = data} for record data; {@code NNN} is the tile index in groups of
 * three digits, all but the last prefixed with {@code x} ({@code x001/234}). A full tile never changes;
 * a partial one is replaced by longer ones as the log grows. Only the canonical spelling is accepted
 * (as {@code tlog.ParseTilePath} does), so one tile has one storage key. Immutable.
 *
 * @param height H, 1 to 30 (the go command uses 8)
 * @param level L, or -1 for a data tile
 * @param index the tile index N
 * @param width W: hashes (or records) in the tile, 2^H for a full tile
 */
record TilePath(int height, int level, long index, int width) {
    /** Levels above this cannot occur in a log of fewer than 2^63 records. */
    private static final int MAX_LEVEL = 63;
    /** Index groups: six give indexes below 10^18, far beyond any log. */
    private static final int MAX_GROUPS = 6;

    /** Whether this is a partial tile (which may vanish upstream once the tile fills up). */
    boolean partial() {
        return width != 1 << height;
    }

    boolean data() {
        return level < 0;
    }

    /**
     * Parses {@code tile/...}.
     *
     * @return the tile, or null when {@code path} is not the canonical path of a tile
     */
    static TilePath parse(String path) {
        String[] f = path.split("/", -1);
        if (f.length < 4 || f.length > 3 + MAX_GROUPS + 1 || !f[0].equals("tile")) {
            return null;
        }
        int h = smallNumber(f[1], 30);
        int l = f[2].equals("data") ? -1 : smallNumber(f[2], MAX_LEVEL);
        if (h < 1 || (l < 0 && !f[2].equals("data"))) {
            return null;
        }
        int end = f.length;
        int w = 1 << h;
        if (f[end - 2].endsWith(".p")) {
            w = smallNumber(f[end - 1], (1 << h) - 1);
            if (w < 1) {
                return null;
            }
            f[end - 2] = f[end - 2].substring(0, f[end - 2].length() - 2);
            end--;
        }
        if (end - 3 > MAX_GROUPS) {
            return null;
        }
        long n = 0;
        for (int i = 3; i < end; i++) {
            String g = f[i];
            if (i < end - 1) {
                if (!g.startsWith("x")) {
                    return null;
                }
                g = g.substring(1);
            }
            if (g.length() != 3 || !g.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            n = n * 1000 + Integer.parseInt(g);
        }
        TilePath t = new TilePath(h, l, n, w);
        // Only one spelling per tile: "tile/8/0/x000/001" and "tile/8/0/001" must not be two keys.
        return t.path().equals(path) ? t : null;
    }

    /** The canonical path, {@code tile/H/L/NNN[.p/W]}. */
    String path() {
        StringBuilder b = new StringBuilder("tile/").append(height).append('/')
                .append(level < 0 ? "data" : Integer.toString(level)).append('/');
        List<String> groups = new ArrayList<>();
        long n = index;
        do {
            groups.add(0, String.format("%03d", n % 1000));
            n /= 1000;
        } while (n > 0);
        for (int i = 0; i < groups.size(); i++) {
            if (i < groups.size() - 1) {
                b.append('x');
            }
            b.append(groups.get(i)).append(i < groups.size() - 1 ? "/" : "");
        }
        if (partial()) {
            b.append(".p/").append(width);
        }
        return b.toString();
    }

    /** A decimal number without sign or leading zeros, at most {@code max}; -1 when it is not one. */
    private static int smallNumber(String s, int max) {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9')
                || s.length() > 1 && s.charAt(0) == '0') {
            return -1;
        }
        long v = Long.parseLong(s);
        return v <= max ? (int) v : -1;
    }
}
