package io.binaryrepo.npm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a cached packument is answered: written by {@link PackumentWriter} straight into the response (never
 * built in memory), with a {@code Content-Length} and a strong ETag that are the length and SHA-256 of
 * exactly those bytes. Both come from one counting pass over the document, remembered per document,
 * variant and public URL, so a revalidation (If-None-Match) costs no pass at all and a hit costs one.
 * Each variant has its own ETag (never the upstream's, which names the full document as upstream wrote it).
 *
 * <p>Throws {@link IOException} when a stored document cannot be parsed (it was checked when fetched, so
 * only a damaged cache file can). The remembered sizes are bounded: at most {@value #MAX_SIZES} entries (least recently used dropped),
 * each holding the document body only through a weak reference. Thread-safe.
 */
final class PackumentRendering {
    /** Bound of the remembered (length, ETag) pairs. */
    static final int MAX_SIZES = 2048;

    private final PackumentWriter writer;
    private final Map<Key, Sized> sizes = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Sized> eldest) {
            return size() > MAX_SIZES;
        }
    };

    /** What an answer is: the document, the variant (or one version), the public repository URL. */
    private record Key(String document, Variant variant, String version, String repositoryUrl) {
    }

    private record Sized(WeakReference<byte[]> body, long length, String etag) {
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
        synchronized (sizes) {
            Sized s = sizes.get(k);
            if (s != null && s.body().get() == doc) {
                return s;
            }
        }
        // Outside the lock: a 40 MB document takes a while, other documents must not wait for it.
        MessageDigest sha = sha256();
        long[] count = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        try (DigestOutputStream out = new DigestOutputStream(counting, sha)) {
            body.writeTo(out);
        }
        String etag = "\"" + tag + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest())
                .substring(0, 32) + "\"";
        Sized s = new Sized(new WeakReference<>(doc), count[0], etag);
        synchronized (sizes) {
            sizes.put(k, s);
        }
        return s;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
