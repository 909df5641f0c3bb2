package io.binaryrepo.s3;

import io.binaryrepo.cache.CacheWriteException;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.StorageKeys;
import io.binaryrepo.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link Storage} in an S3 bucket (AWS S3, MinIO, Ceph RGW; issue 16), shared by several nodes. Entries are
 * objects {@code <prefix><key>}. Content is spooled under the local directory ({@code binaryrepo.storage.dir},
 * {@code .spool/}) while it streams to clients, and uploaded when the caller commits after verifying it
 * ({@link S3Upload}: one PUT, multipart for large content), visible only once S3 completed the upload; a
 * failed upload leaves nothing and the next request downloads again.
 *
 * <p>Which writes are conditional: a writer's commit uses {@code If-None-Match: *} (content-addressed keys:
 * a concurrent writer's 412 is success when the object there holds the same bytes, by its sha256
 * metadata; a key whose bytes differ is replaced, last writer wins). {@link #putIfVersion} is a PUT with
 * {@code If-Match} (compare-and-swap): the access records (a node flushing older reads must not move another
 * node's newer access time back) and eviction's claim on an entry use it. {@link #put} (tags, freshness,
 * validators, links) is an unconditional PUT, last writer wins: every such record is a whole,
 * self-consistent value both writers took from upstream (a document as upstream confirmed it, a link, a
 * time), so a lost race costs at most one more revalidation and never serves wrong bytes; no node keeps
 * state correctness depends on (docs/cluster.md).
 *
 * <p>Reads: {@link #get} asks HeadObject; the entry's channel streams a GET per position change (one
 * {@code Range}, {@code If-Match} on the ETag seen, so a replaced object fails a read instead of mixing
 * bytes); {@link Entry#file()} is empty; {@link Entry#redirect()} is a presigned GET URL valid for
 * {@link #REDIRECT_VALIDITY} when {@code binaryrepo.storage.s3.redirect} is true. Thread-safe.
 */
public final class S3Storage implements Storage {
    /** How long a presigned redirect URL is valid: long enough to follow, short enough not to be shared. */
    static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(5);
    static final String SPOOL_DIR = ".spool";
    private static final int MAX_PAGE = 1000;
    /** Attempts of a conditional write answered 409 (ConditionalRequestConflict) before giving up. */
    private static final int CONFLICT_RETRIES = 3;

    private final S3Connection s3;
    private final String bucket;
    private final String base;
    private final Path spool;
    private final S3Upload upload;

    private S3Storage(S3Connection s3, Path localDir) throws IOException {
        this.s3 = s3;
        this.bucket = s3.settings().bucket();
        this.base = s3.settings().prefix();
        this.spool = Files.createDirectories(localDir.toAbsolutePath().normalize().resolve(SPOOL_DIR));
        this.upload = new S3Upload(s3.client(), bucket);
    }

    /**
     * Opens the bucket with the AWS default credentials chain and checks that it answers.
     *
     * @param localDir the local spool directory's parent ({@code binaryrepo.storage.dir})
     * @throws ConfigException with one message naming the parameter to fix, when the bucket cannot be used
     */
    public static S3Storage open(S3Settings settings, Path localDir) {
        return open(S3Connection.open(settings), localDir);
    }

    /** As {@link #open(S3Settings, Path)} with explicit credentials (tests). */
    static S3Storage open(S3Settings settings, AwsCredentialsProvider credentials, Path localDir) {
        return open(S3Connection.open(settings, credentials), localDir);
    }

    private static S3Storage open(S3Connection s3, Path localDir) {
        try {
            s3.checkBucket();
            return new S3Storage(s3, localDir);
        } catch (IOException e) {
            s3.close();
            throw new ConfigException("binaryrepo not started: " + e.getMessage(), e);
        }
    }

    /** The bucket's settings. */
    public S3Settings settings() {
        return s3.settings();
    }

    String objectKey(String key) {
        return base + StorageKeys.check(key);
    }

    @Override
    public Optional<Entry> get(String key) throws IOException {
        return head(objectKey(key)).map(h -> new S3Entry(this, key, h.contentLength(), seconds(h.lastModified()),
                h.eTag()));
    }

    @Override
    public boolean exists(String key) throws IOException {
        return head(objectKey(key)).isPresent();
    }

    private Optional<HeadObjectResponse> head(String objectKey) throws IOException {
        try {
            return Optional.of(s3.client().headObject(b -> b.bucket(bucket).key(objectKey)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("HEAD " + objectKey, e);
        } catch (SdkException e) {
            throw failure("HEAD " + objectKey, e);
        }
    }

    @Override
    public Writer writer(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            return new S3Writer(key, objectKey, spool, upload);
        } catch (IOException e) {
            throw new CacheWriteException("cannot create a spool file in " + spool + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        String objectKey = objectKey(key);
        try {
            s3.client().putObject(b -> b.bucket(bucket).key(objectKey).contentLength((long) value.length),
                    RequestBody.fromBytes(value));
        } catch (SdkException e) {
            throw new CacheWriteException(failure("PUT " + objectKey, e).getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) throws IOException {
        return readVersioned(key, maxBytes).map(Versioned::value);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The version is the object's ETag (a single PUT's is the MD5 of its bytes).
     */
    @Override
    public Optional<Versioned> readVersioned(String key, int maxBytes) throws IOException {
        String objectKey = objectKey(key);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.client().getObject(b -> b.bucket(bucket).key(objectKey));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("GET " + objectKey, e);
        } catch (SdkException e) {
            throw failure("GET " + objectKey, e);
        }
        try (InputStream body = in) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                in.abort();
                throw new IOException("cache entry " + key + " is larger than " + maxBytes + " bytes");
            }
            byte[] bytes = body.readNBytes(maxBytes);
            if (body.read() >= 0) {
                in.abort();
                throw new IOException("cache entry " + key + " is larger than " + maxBytes + " bytes");
            }
            return Optional.of(new Versioned(bytes, in.response().eTag()));
        } catch (SdkException e) {
            throw failure("GET " + objectKey, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A PUT with {@code If-Match: <ETag>} ({@code If-None-Match: *} for "only if absent"), which S3 (since
     * 2024), MinIO, Ceph RGW and S3Proxy's transient and filesystem backends evaluate atomically. 412, and
     * 404 for an {@code If-Match} on a removed object, mean another writer got there first (false); 409
     * (AWS: a conditional write to the same key is in flight) is retried a few times, then false.
     */
    @Override
    public boolean putIfVersion(String key, byte[] value, String expectedVersion) throws IOException {
        String objectKey = objectKey(key);
        for (int attempt = 1; ; attempt++) {
            try {
                s3.client().putObject(b -> b.bucket(bucket).key(objectKey).contentLength((long) value.length)
                        .applyMutation(r -> {
                            if (expectedVersion == null) {
                                r.ifNoneMatch("*");
                            } else {
                                r.ifMatch(expectedVersion);
                            }
                        }), RequestBody.fromBytes(value));
                return true;
            } catch (S3Exception e) {
                if (e.statusCode() == 412 || e.statusCode() == 404) {
                    return false;
                }
                if (e.statusCode() == 409) {
                    if (attempt >= CONFLICT_RETRIES) {
                        return false;
                    }
                    pause(attempt);
                    continue;
                }
                throw new CacheWriteException(failure("PUT " + objectKey, e).getMessage(), e);
            } catch (SdkException e) {
                throw new CacheWriteException(failure("PUT " + objectKey, e).getMessage(), e);
            }
        }
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while retrying a conditional write");
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        String objectKey = objectKey(key);
        if (head(objectKey).isEmpty()) {
            return false;
        }
        try {
            s3.client().deleteObject(b -> b.bucket(bucket).key(objectKey));
            return true;
        } catch (SdkException e) {
            throw failure("DELETE " + objectKey, e);
        }
    }

    @Override
    public Page list(String prefix, String startAfter, int limit) throws IOException {
        checkPrefix(prefix);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("listing limit must be 1 to " + MAX_PAGE + ", not " + limit);
        }
        ListObjectsV2Response r = listPage(prefix, startAfter, limit);
        List<Item> items = new ArrayList<>();
        String last = null;
        for (S3Object o : r.contents()) {
            last = o.key().substring(base.length());
            if (isKey(last)) {
                items.add(new Item(last, o.size(), seconds(o.lastModified())));
            }
        }
        boolean more = Boolean.TRUE.equals(r.isTruncated()) && last != null;
        return new Page(items, more ? Optional.of(last) : Optional.empty());
    }

    private ListObjectsV2Response listPage(String prefix, String startAfter, int limit) throws IOException {
        try {
            return s3.client().listObjectsV2(b -> b.bucket(bucket).prefix(base + prefix).maxKeys(limit)
                    .startAfter(startAfter == null ? null : base + startAfter));
        } catch (SdkException e) {
            throw failure("LIST " + base + prefix, e);
        }
    }

    @Override
    public Usage usage() throws IOException {
        long entries = 0;
        long bytes = 0;
        String cursor = null;
        do {
            Page p = list("", cursor, MAX_PAGE);
            for (Item i : p.items()) {
                entries++;
                bytes += i.size();
            }
            cursor = p.next().orElse(null);
        } while (cursor != null);
        return new Usage(entries, bytes);
    }

    /** Spool files a crashed process left (uploads it started and never completed are S3's to expire). */
    @Override
    public int removeSpoolLeftovers() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool)) {
            for (Path f : files) {
                if (Files.deleteIfExists(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void checkReachable() throws IOException {
        s3.checkBucket();
    }

    /** A presigned GET of {@code key}, when redirects are configured. */
    Optional<URI> redirect(String key) {
        if (!s3.settings().redirect()) {
            return Optional.empty();
        }
        String objectKey = objectKey(key);
        try {
            return Optional.of(s3.presigner().presignGetObject(p -> p.signatureDuration(REDIRECT_VALIDITY)
                    .getObjectRequest(g -> g.bucket(bucket).key(objectKey))).url().toURI());
        } catch (URISyntaxException | SdkException e) {
            return Optional.empty(); // then the content is streamed instead
        }
    }

    /** A channel over bytes {@code [0, size)} of the object version {@code etag}. */
    S3Channel channel(String key, long size, String etag) {
        return new S3Channel(s3.client(), bucket, objectKey(key), size, etag);
    }

    /** An I/O failure whose message says what failed, naming the bucket parameter (never credentials). */
    IOException failure(String what, SdkException e) {
        return new IOException(what + ": " + s3.describe(e), e);
    }

    @Override
    public void close() {
        s3.close();
    }

    private static void checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("invalid listing prefix (null)");
        }
        int slash = prefix.lastIndexOf('/');
        if (slash >= 0) {
            StorageKeys.check(prefix.substring(0, slash));
        }
    }

    private static boolean isKey(String key) {
        try {
            StorageKeys.check(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false; // a foreign object under the prefix: not ours to list
        }
    }

    /** S3 reports listing times in milliseconds and HEAD times in seconds: one precision for both. */
    private static Instant seconds(Instant t) {
        return t == null ? Instant.EPOCH : t.truncatedTo(ChronoUnit.SECONDS);
    }
}
