package io.binaryrepo.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MutableDocuments.Spool} of one refresh: the fetcher's body goes straight into a storage writer
 * for the document's key (header line first, as every stored document), so a large document is never held
 * in memory on its way in (issue 17: a 256 MiB Helm index while the budget is 64 MiB). {@link #finish()}
 * commits it; closing without finishing aborts. When the cache cannot be written (a full disk) the body is
 * held in memory instead, capped by the policy as before, so the request still succeeds. One thread.
 */
final class DocumentSpool implements MutableDocuments.Spool, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentSpool.class);

    private final Storage storage;
    private final String key;
    private final int maxBytes;
    private final long fetchedAt;
    private final long inlineMax;
    private Storage.Writer writer;
    private ByteArrayOutputStream inMemory;
    private long headerLength;
    private Capped body;
    private String contentType;
    private String etag;
    private String lastModified;
    private Map<String, String> headers;

    DocumentSpool(Storage storage, String key, int maxBytes, long fetchedAt, long inlineMax) {
        this.storage = storage;
        this.key = key;
        this.maxBytes = maxBytes;
        this.fetchedAt = fetchedAt;
        this.inlineMax = inlineMax;
    }

    @Override
    public OutputStream open(String contentType, String etag, String lastModified, Map<String, String> headers)
            throws IOException {
        if (body != null) {
            throw new IllegalStateException("spool of " + key + " opened twice");
        }
        this.contentType = contentType;
        this.etag = etag;
        this.lastModified = lastModified;
        this.headers = Map.copyOf(headers);
        byte[] header = MutableDocuments.header(contentType, etag, lastModified, fetchedAt, this.headers, true);
        OutputStream sink;
        try {
            writer = storage.writer(key);
            writer.write(ByteBuffer.wrap(header));
            writer.write(ByteBuffer.wrap(new byte[] {'\n'}));
            headerLength = header.length + 1;
            Storage.Writer w = writer;
            sink = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    w.write(ByteBuffer.wrap(new byte[] {(byte) b}));
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    w.write(ByteBuffer.wrap(b, off, len));
                }
            };
        } catch (IOException e) {
            LOG.warn("cannot store {} ({}): holding it in memory", key, e.getMessage());
            if (writer != null) {
                writer.close();
                writer = null;
            }
            inMemory = new ByteArrayOutputStream();
            sink = inMemory;
        }
        body = new Capped(sink);
        return body;
    }

    /**
     * Commits what the fetcher wrote and returns it as a document: held in memory when at most
     * {@code inlineMax} bytes (or when the cache could not be written), else kept on disk ({@link StoredBody}).
     *
     * @throws IOException when nothing was written, or a large document could not be committed
     */
    MutableDocuments.Document finish() throws IOException {
        if (body == null) {
            throw new IOException("fetcher of " + key + " answered Streamed without writing a body");
        }
        if (writer == null) {
            return document(inMemory.toByteArray(), null);
        }
        long length = writer.written() - headerLength;
        byte[] small = length <= inlineMax ? readBack(length) : null;
        try {
            writer.commit();
        } catch (IOException e) {
            if (small == null) {
                throw e;
            }
            LOG.warn("could not store {}: {}", key, e.getMessage());
            return document(small, null);
        }
        if (small != null) {
            return document(small, null);
        }
        Storage.Entry entry = storage.get(key).orElseThrow(() -> new IOException("committed " + key + " vanished"));
        return document(null, new StoredBody(entry, headerLength));
    }

    private MutableDocuments.Document document(byte[] bytes, StoredBody stored) {
        return new MutableDocuments.Document(bytes, contentType, etag, lastModified, fetchedAt, 0, headers, stored);
    }

    private byte[] readBack(long length) throws IOException {
        byte[] b = new byte[(int) length];
        try (SeekableByteChannel ch = writer.openReader()) {
            ch.position(headerLength);
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new IOException("spool of " + key + " is shorter than written");
                }
            }
        }
        return b;
    }

    /** Aborts unless committed. */
    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    /**
     * The document kept on disk under {@code entry}, when its header says a {@link MutableDocuments.Streamed}
     * fetch wrote it; empty for any other entry (read whole, as before) and for a damaged header.
     */
    static Optional<MutableDocuments.Document> stored(Storage.Entry entry, int maxHeader) throws IOException {
        byte[] head = new byte[(int) Math.min(maxHeader, entry.size())];
        try (SeekableByteChannel ch = entry.open()) {
            ByteBuffer buf = ByteBuffer.wrap(head);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // fill
            }
        }
        int nl = -1;
        for (int i = 0; i < head.length; i++) {
            if (head[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return Optional.empty();
        }
        JsonNode h;
        try {
            h = MutableDocuments.parseHeader(head, nl);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!h.path("streamed").asBoolean(false)) {
            return Optional.empty();
        }
        return Optional.of(MutableDocuments.fromHeader(h, null, new StoredBody(entry, nl + 1)));
    }

    /** Refuses more than {@code maxBytes} of body. */
    private final class Capped extends OutputStream {
        private final OutputStream out;
        private long count;

        Capped(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (count + len > maxBytes) {
                throw new DocumentTooLargeException(key + " exceeds the limit of " + maxBytes + " bytes");
            }
            count += len;
            out.write(b, off, len);
        }
    }
}
