package io.binaryrepo.helm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An index as binaryrepo stores it: the upstream YAML byte for byte, except that every chart URL
 * carries a record of where it leads, in bytes YAML forbids (C0 controls), so no upstream text can
 * forge one:
 * <pre>
 *   \x01 TOKEN/FILE \x02 URL \x02 DIGEST \x03   a rewritten URL (inside double quotes written by
 *                                              {@link IndexRewriter}); served as REPO_URL/_charts/TOKEN/FILE
 *   \x04 PATH \x02 URL \x02 DIGEST \x03         follows a relative URL left unchanged; served as nothing
 * </pre>
 * URL is the chart's absolute upstream URL, DIGEST its sha256 hex or empty. Because the records travel
 * inside the stored document, the chart table is always the one of the document being served (after a
 * restart, on another node, after a revalidation), and it is rebuilt by a byte scan, never by parsing YAML
 * again. Immutable and thread-safe; holds the stored bytes (which the document cache holds anyway).
 */
final class StoredIndex implements IndexView {
    static final char PROXIED = '\u0001';
    static final char SEP = '\u0002';
    static final char END = '\u0003';
    static final char RELATIVE = '\u0004';

    static final byte[] PROXIED_PATH = ("/" + ChartUrl.PROXIED_PREFIX).getBytes(StandardCharsets.US_ASCII);

    private final byte[] stored;
    /** token → offset of its record's mark; relative path → offset of its record's mark. */
    private final Map<String, Integer> byToken;
    private final Map<String, Integer> byPath;
    /** Served length without the repository URLs, and how many of them are written. */
    private final long fixedLength;
    private final int proxiedCount;
    /** token → file name of the relative chart URLs, made on first use by {@link #file}. */
    private volatile Map<String, String> relativeFiles;

    private StoredIndex(byte[] stored, Map<String, Integer> byToken, Map<String, Integer> byPath, long fixedLength,
            int proxiedCount) {
        this.stored = stored;
        this.byToken = byToken;
        this.byPath = byPath;
        this.fixedLength = fixedLength;
        this.proxiedCount = proxiedCount;
    }

    /**
     * Scans a stored document (linear, no YAML parsing).
     *
     * @throws IllegalArgumentException when a record is not terminated (a damaged document)
     */
    static StoredIndex of(byte[] stored) {
        Map<String, Integer> byToken = new HashMap<>();
        Map<String, Integer> byPath = new HashMap<>();
        long fixed = 0;
        int proxied = 0;
        for (int i = 0; i < stored.length; i++) {
            byte b = stored[i];
            if (b != PROXIED && b != RELATIVE) {
                fixed++;
                continue;
            }
            int sep = indexOf(stored, SEP, i + 1);
            int end = indexOf(stored, END, i + 1);
            if (sep < 0 || end < 0 || sep > end) {
                throw new IllegalArgumentException("damaged stored index: unterminated record at byte " + i);
            }
            String first = new String(stored, i + 1, sep - i - 1, StandardCharsets.US_ASCII);
            if (b == PROXIED) {
                int slash = first.indexOf('/');
                byToken.putIfAbsent(slash < 0 ? first : first.substring(0, slash), i);
                fixed += PROXIED_PATH.length + first.length();
                proxied++;
            } else {
                byPath.putIfAbsent(first, i);
            }
            i = end;
        }
        return new StoredIndex(stored, byToken, byPath, fixed, proxied);
    }

    /** The chart a rewritten URL with {@code token} leads to, if this index has it. */
    @Override
    public Optional<ChartRef> proxied(String token) {
        Integer at = byToken.get(token);
        return at == null ? Optional.empty() : Optional.of(ref(at));
    }

    /** The chart at {@code path} (relative to the repository, raw), if this index has it. */
    @Override
    public Optional<ChartRef> relative(String path) {
        Integer at = byPath.get(path);
        return at == null ? Optional.empty() : Optional.of(ref(at));
    }

    @Override
    public java.util.List<Chart> charts(java.util.function.Predicate<String> fileFilter) {
        java.util.List<Chart> out = new java.util.ArrayList<>();
        for (Map.Entry<String, Integer> e : byToken.entrySet()) {
            String first = firstField(e.getValue());
            String file = first.substring(first.indexOf('/') + 1);
            if (fileFilter.test(file)) {
                out.add(new Chart(ChartUrl.PROXIED_PREFIX + first, e.getKey(), file));
            }
        }
        for (Map.Entry<String, Integer> e : byPath.entrySet()) {
            String file = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            if (fileFilter.test(file)) {
                out.add(new Chart(e.getKey(), ref(e.getValue()).token(), file));
            }
        }
        return out;
    }

    @Override
    public Optional<String> file(String token) {
        Integer at = byToken.get(token);
        if (at != null) {
            String first = firstField(at);
            return Optional.of(first.substring(first.indexOf('/') + 1));
        }
        Map<String, String> relative = relativeFiles;
        if (relative == null) {
            relative = new HashMap<>();
            for (Map.Entry<String, Integer> e : byPath.entrySet()) {
                relative.put(ref(e.getValue()).token(), e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
            }
            relativeFiles = relative;
        }
        return Optional.ofNullable(relative.get(token));
    }

    private String firstField(int at) {
        int sep = indexOf(stored, SEP, at + 1);
        return new String(stored, at + 1, sep - at - 1, StandardCharsets.US_ASCII);
    }

    /** Number of rewritten chart URLs. */
    int proxiedCount() {
        return proxiedCount;
    }

    /** Number of relative chart URLs left unchanged. */
    int relativeCount() {
        return byPath.size();
    }

    /** Length in bytes of the document as served with {@code repositoryUrl}. */
    @Override
    public long servedLength(byte[] repositoryUrl) {
        return fixedLength + (long) proxiedCount * repositoryUrl.length;
    }

    /**
     * Writes the document as clients see it: rewritten URLs under {@code repositoryUrl} (ASCII, safe
     * inside a double-quoted YAML scalar), records removed. Does not close {@code out}.
     */
    @Override
    public void writeTo(OutputStream out, byte[] repositoryUrl) throws IOException {
        int from = 0;
        for (int i = 0; i < stored.length; i++) {
            byte b = stored[i];
            if (b != PROXIED && b != RELATIVE) {
                continue;
            }
            out.write(stored, from, i - from);
            int sep = indexOf(stored, SEP, i + 1);
            int end = indexOf(stored, END, i + 1);
            if (b == PROXIED) {
                out.write(repositoryUrl);
                out.write(PROXIED_PATH);
                out.write(stored, i + 1, sep - i - 1);
            }
            i = end;
            from = end + 1;
        }
        out.write(stored, from, stored.length - from);
    }

    private ChartRef ref(int at) {
        int sep1 = indexOf(stored, SEP, at + 1);
        int sep2 = indexOf(stored, SEP, sep1 + 1);
        int end = indexOf(stored, END, at + 1);
        String url = new String(stored, sep1 + 1, sep2 - sep1 - 1, StandardCharsets.US_ASCII);
        String digest = new String(stored, sep2 + 1, end - sep2 - 1, StandardCharsets.US_ASCII);
        return new ChartRef(url, digest.isEmpty() ? null : digest);
    }

    private static int indexOf(byte[] a, char c, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
