package io.binaryrepo.npm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a cached packument is answered: written by {@link PackumentWriter} (never built as a tree), with a
 * {@code Content-Length} and a strong ETag that are the length and SHA-256 of exactly those bytes. Both
 * come from one pass over the document, remembered per document, variant (or version) and public URL, so
 * a revalidation ({@code If-None-Match}) costs no pass at all. Each variant has its own ETag (never the
 * upstream's, which names the full document as upstream wrote it).
 *
 * <p>Answers of at most {@value #MAX_KEPT_ONE} bytes (most packuments) are also kept as bytes, so a hit is a
 * copy; larger ones are rendered again into the response on each hit, token by token.
 *
 * <p>Bounds: at most {@value #MAX_ENTRIES} remembered answers, at most {@value #MAX_KEPT_BYTES} bytes of kept
 * answers in all (least recently used dropped first); each holds the stored document only through a weak
 * reference (an entry whose document is gone or replaced is recomputed). Throws {@link IOException} when a
 * stored document cannot be parsed (checked when fetched, so only a damaged cache file can). Thread-safe.
 */
final class PackumentRendering {
    static final int MAX_ENTRIES = 2048;
    /** The largest answer kept as bytes. */
    static final int MAX_KEPT_ONE = 1024 * 1024;
    /** All kept answers together. */
    static final long MAX_KEPT_BYTES = 32L * 1024 * 1024;

    private final PackumentWriter writer;
    /** Access-ordered: iteration starts at the least recently used. Guarded by itself. */
    private final LinkedHashMap<Key, Sized> answers = new LinkedHashMap<>(64, 0.75f, true);
    private long keptBytes;

    /** What an answer is: the document, the variant (or one version), the public repository URL. */
    private record Key(String document, Variant variant, String version, String repositoryUrl) {
    }

    /** @param bytes the answer itself, or null when it is too large to keep */
    private record Sized(WeakReference<byte[]> document, long length, String etag, byte[] bytes) {
        long cost() {
            return bytes == null ? 0 : bytes.length;
        }
    }

    PackumentRendering(PackumentWriter writer) {
        this.writer = writer;
    }

    /** The whole packument as {@code variant}, tarball URLs under {@code repositoryUrl}. */
    Resource.Rendered packument(String key, MutableDocuments.Document d, Variant variant, String repositoryUrl)
            throws IOException {
        Key k = new Key(key, variant, null, repositoryUrl);
        Body body = out -> writer.write(new ByteArrayInputStream(d.body()), variant, repositoryUrl, out);
        return rendered(k, d.body(), variant.contentType(), variant == Variant.FULL ? "f" : "a", body);
    }

    /** One version's manifest ({@code /<name>/<version>}); the caller has checked the packument lists it. */
    Resource.Rendered version(String key, MutableDocuments.Document d, String version, String repositoryUrl)
            throws IOException {
        Key k = new Key(key, Variant.FULL, version, repositoryUrl);
        Body body = out -> {
            if (!writer.writeVersion(new ByteArrayInputStream(d.body()), version, repositoryUrl, out)) {
                throw new IOException("version " + version + " vanished from " + key);
            }
        };
        return rendered(k, d.body(), Variant.FULL.contentType(), "v", body);
    }

    /** Writes an answer's bytes; deterministic for the same document. */
    @FunctionalInterface
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private Resource.Rendered rendered(Key k, byte[] doc, String contentType, String tag, Body body)
            throws IOException {
        Sized s = sized(k, doc, tag, body);
        Map<String, String> headers = Map.of("ETag", s.etag(), "Vary", "Accept",
                // Clients revalidate every time (cheap: the ETag is remembered); the TTL is binaryrepo's.
                "Cache-Control", "no-cache");
        if (s.bytes() != null) {
            return Resource.Rendered.bytes(s.bytes(), contentType, headers);
        }
        return new Resource.Rendered() {
            @Override
            public String contentType() {
                return contentType;
            }

            @Override
            public Map<String, String> headers() {
                return headers;
            }

            @Override
            public long length() {
                return s.length();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                body.writeTo(out);
            }
        };
    }

    private Sized sized(Key k, byte[] doc, String tag, Body body) throws IOException {
        synchronized (answers) {
            Sized s = answers.get(k);
            if (s != null && s.document().get() == doc) {
                return s;
            }
        }
        // Outside the lock: a 40 MB document takes a while, other documents must not wait for it.
        MessageDigest sha = sha256();
        Capture capture = new Capture(doc.length <= 2L * MAX_KEPT_ONE);
        try (DigestOutputStream out = new DigestOutputStream(capture, sha)) {
            body.writeTo(out);
        }
        String etag = "\"" + tag + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest())
                .substring(0, 32) + "\"";
        Sized s = new Sized(new WeakReference<>(doc), capture.count, etag, capture.bytes());
        remember(k, s);
        return s;
    }

    private void remember(Key k, Sized s) {
        synchronized (answers) {
            Sized old = answers.put(k, s);
            keptBytes += s.cost() - (old == null ? 0 : old.cost());
            for (Iterator<Sized> it = answers.values().iterator();
                    it.hasNext() && (answers.size() > MAX_ENTRIES || keptBytes > MAX_KEPT_BYTES); ) {
                Sized eldest = it.next();
                if (eldest != s) {
                    keptBytes -= eldest.cost();
                    it.remove();
                }
            }
        }
    }

    /** Counts what is written and keeps it while it stays within {@link #MAX_KEPT_ONE}. */
    private static final class Capture extends OutputStream {
        private ByteArrayOutputStream kept;
        long count;

        Capture(boolean keep) {
            this.kept = keep ? new ByteArrayOutputStream(64 * 1024) : null;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
            if (kept != null && count > MAX_KEPT_ONE) {
                kept = null; // too large to keep: only counted from here on
            }
            if (kept != null) {
                kept.write(b, off, len);
            }
        }

        byte[] bytes() {
            return kept == null ? null : kept.toByteArray();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
