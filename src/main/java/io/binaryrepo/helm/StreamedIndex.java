package io.binaryrepo.helm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A stored index too large to hold in memory (issue 17: up to 256 MiB while the document budget is 64 MiB),
 * read from its storage entry by every use: served through a 64 KiB buffer with the records of the
 * {@link StoredIndex} form replaced on the way (the same bytes {@link StoredIndex#writeTo} writes), and
 * searched for a chart by one sequential read (only on a chart's cache miss). Construction reads the
 * document once to learn its served length. What it holds does not grow with the document: concurrent
 * {@code helm repo update}s cost a buffer each. Immutable and thread-safe.
 */
final class StreamedIndex implements IndexView {
    private static final int BUFFER = 64 * 1024;

    /** Opens the stored form from its first byte; the caller closes the stream. */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    /** Receives the parts of a stored index in order; returns false to stop. */
    private interface Visitor {
        void text(byte[] b, int off, int len) throws IOException;

        boolean record(byte mark, byte[] record) throws IOException;
    }

    private final Source source;
    private final long fixedLength;
    private final int proxiedCount;

    private StreamedIndex(Source source, long fixedLength, int proxiedCount) {
        this.source = source;
        this.fixedLength = fixedLength;
        this.proxiedCount = proxiedCount;
    }

    /**
     * Reads the stored form once for its served length.
     *
     * @throws IOException when it cannot be read or a record is not terminated (a damaged document)
     */
    static StreamedIndex of(Source source) throws IOException {
        long[] fixed = {0};
        int[] proxied = {0};
        visit(source, new Visitor() {
            @Override
            public void text(byte[] b, int off, int len) {
                fixed[0] += len;
            }

            @Override
            public boolean record(byte mark, byte[] record) {
                if (mark == StoredIndex.PROXIED) {
                    fixed[0] += StoredIndex.PROXIED_PATH.length + field(record, 0).length;
                    proxied[0]++;
                }
                return true;
            }
        });
        return new StreamedIndex(source, fixed[0], proxied[0]);
    }

    @Override
    public Optional<ChartRef> proxied(String token) throws IOException {
        return find(StoredIndex.PROXIED, first -> {
            int slash = first.indexOf('/');
            return (slash < 0 ? first : first.substring(0, slash)).equals(token);
        });
    }

    @Override
    public Optional<ChartRef> relative(String path) throws IOException {
        return find(StoredIndex.RELATIVE, path::equals);
    }

    @Override
    public long servedLength(byte[] repositoryUrl) {
        return fixedLength + (long) proxiedCount * repositoryUrl.length;
    }

    @Override
    public void writeTo(OutputStream out, byte[] repositoryUrl) throws IOException {
        visit(source, new Visitor() {
            @Override
            public void text(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public boolean record(byte mark, byte[] record) throws IOException {
                if (mark == StoredIndex.PROXIED) {
                    out.write(repositoryUrl);
                    out.write(StoredIndex.PROXIED_PATH);
                    out.write(field(record, 0));
                }
                return true;
            }
        });
    }

    @Override
    public java.util.List<Chart> charts(java.util.function.Predicate<String> fileFilter) throws IOException {
        java.util.List<Chart> out = new java.util.ArrayList<>();
        visit(source, new Visitor() {
            @Override
            public void text(byte[] b, int off, int len) {
            }

            @Override
            public boolean record(byte mark, byte[] record) {
                String first = ascii(field(record, 0));
                String file = first.substring(first.lastIndexOf('/') + 1);
                if (fileFilter.test(file)) {
                    String digest = ascii(field(record, 2));
                    out.add(mark == StoredIndex.PROXIED
                            ? new Chart(ChartUrl.PROXIED_PREFIX + first, first.indexOf('/') < 0 ? first : first.substring(0, first.indexOf('/')), file)
                            : new Chart(first, new ChartRef(ascii(field(record, 1)), digest.isEmpty() ? null : digest)
                                    .token(), file));
                }
                return true;
            }
        });
        return out;
    }

    @Override
    public Optional<String> file(String token) {
        return Optional.empty(); // one name would cost a read of the whole document: listings show the key
    }

    private Optional<ChartRef> find(char kind, java.util.function.Predicate<String> first) throws IOException {
        ChartRef[] found = {null};
        visit(source, new Visitor() {
            @Override
            public void text(byte[] b, int off, int len) {
            }

            @Override
            public boolean record(byte mark, byte[] record) {
                if (mark != kind || !first.test(ascii(field(record, 0)))) {
                    return true;
                }
                String digest = ascii(field(record, 2));
                found[0] = new ChartRef(ascii(field(record, 1)), digest.isEmpty() ? null : digest);
                return false;
            }
        });
        return Optional.ofNullable(found[0]);
    }

    /** One pass over the stored form: text between records, and each record's bytes between mark and END. */
    private static void visit(Source source, Visitor v) throws IOException {
        byte[] buf = new byte[BUFFER];
        ByteArrayOutputStream record = null;
        byte mark = 0;
        try (InputStream in = source.open()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int from = 0;
                int i = 0;
                while (i < n) {
                    if (record != null) {
                        int end = indexOf(buf, i, n, StoredIndex.END);
                        record.write(buf, i, (end < 0 ? n : end) - i);
                        if (end < 0) {
                            i = n;
                            from = n;
                            break;
                        }
                        if (!v.record(mark, record.toByteArray())) {
                            return;
                        }
                        record = null;
                        i = end + 1;
                        from = i;
                        continue;
                    }
                    byte b = buf[i];
                    if (b == StoredIndex.PROXIED || b == StoredIndex.RELATIVE) {
                        if (i > from) {
                            v.text(buf, from, i - from);
                        }
                        record = new ByteArrayOutputStream(256);
                        mark = b;
                        from = i + 1;
                    }
                    i++;
                }
                if (record == null && n > from) {
                    v.text(buf, from, n - from);
                }
            }
        }
        if (record != null) {
            throw new IOException("damaged stored index: unterminated record");
        }
    }

    /** Field {@code k} (0: path or TOKEN/FILE, 1: URL, 2: digest) of a record. */
    private static byte[] field(byte[] record, int k) {
        int start = 0;
        for (int f = 0; f < k; f++) {
            int sep = indexOf(record, start, record.length, StoredIndex.SEP);
            if (sep < 0) {
                return new byte[0];
            }
            start = sep + 1;
        }
        int end = indexOf(record, start, record.length, StoredIndex.SEP);
        return java.util.Arrays.copyOfRange(record, start, end < 0 ? record.length : end);
    }

    private static int indexOf(byte[] a, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (a[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
