package io.binaryrepo.s3;

import io.binaryrepo.cache.CacheWriteException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.io.input.BoundedInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Uploads a verified spool file as one object, visible only when S3 completed it: one PutObject up to
 * {@link #MULTIPART_THRESHOLD}, else a multipart upload (parts of {@link #partSize(long)}) completed at the
 * end, aborted on any failure so nothing is left visible. The first attempt is conditional
 * ({@code If-None-Match: *}, on PutObject and CompleteMultipartUpload): when another writer got there first
 * (412) and its object has the same sha256 and size, that object stands and the upload counts as done; when
 * it holds other bytes (a key that is not content-addressed) it is replaced, last writer wins. A 409
 * {@code ConditionalRequestConflict} (a concurrent conditional write) is retried. Every object carries its
 * sha256 as user metadata {@code sha256}. Thread-safe (stateless apart from the client).
 */
final class S3Upload {
    static final long MULTIPART_THRESHOLD = 32L * 1024 * 1024;
    static final String SHA256 = "sha256";
    private static final long MIN_PART = 16L * 1024 * 1024;
    private static final int MAX_PARTS = 10_000;
    private static final int ATTEMPTS = 3;

    private final S3Client s3;
    private final String bucket;

    S3Upload(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** Part size for {@code size} bytes: at least 16 MiB, large enough to stay within S3's 10,000 parts. */
    static long partSize(long size) {
        return Math.max(MIN_PART, (size + MAX_PARTS - 1) / MAX_PARTS);
    }

    /**
     * Makes {@code file}'s first {@code size} bytes the object {@code key}.
     *
     * @throws CacheWriteException when S3 did not take it; nothing new is visible then
     */
    void upload(String key, Path file, long size, String sha256) throws CacheWriteException {
        for (int attempt = 1; ; attempt++) {
            try {
                if (send(key, file, size, sha256, true)) {
                    return;
                }
                Optional<HeadObjectResponse> there = head(key);
                if (there.isPresent()) {
                    if (!sha256.equals(there.get().metadata().get(SHA256)) || there.get().contentLength() != size) {
                        send(key, file, size, sha256, false); // other bytes under this key: replace them
                    }
                    return; // else the other writer's object holds these very bytes
                }
                // deleted since the 412: try the conditional write again
            } catch (S3Exception e) {
                if (e.statusCode() != 409 || attempt >= ATTEMPTS) {
                    throw failed(key, e);
                }
            } catch (SdkException | UncheckedIOException e) {
                throw failed(key, e);
            }
            if (attempt >= ATTEMPTS) {
                throw new CacheWriteException("upload of " + key + " to bucket " + bucket
                        + " kept conflicting with concurrent writes", null);
            }
        }
    }

    /** One upload; false when {@code ifAbsent} and an object was already there (412). */
    private boolean send(String key, Path file, long size, String sha256, boolean ifAbsent) {
        try {
            if (size <= MULTIPART_THRESHOLD) {
                s3.putObject(b -> b.bucket(bucket).key(key).contentLength(size).metadata(Map.of(SHA256, sha256))
                        .ifNoneMatch(ifAbsent ? "*" : null), RequestBody.fromContentProvider(
                        () -> slice(file, 0, size), size, "application/octet-stream"));
            } else {
                multipart(key, file, size, sha256, ifAbsent);
            }
            return true;
        } catch (S3Exception e) {
            if (ifAbsent && e.statusCode() == 412) {
                return false;
            }
            throw e;
        }
    }

    private void multipart(String key, Path file, long size, String sha256, boolean ifAbsent) {
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).metadata(Map.of(SHA256, sha256))
                .contentType("application/octet-stream")).uploadId();
        boolean done = false;
        try {
            long part = partSize(size);
            List<CompletedPart> parts = new ArrayList<>();
            for (long off = 0; off < size; off += part) {
                long from = off;
                long len = Math.min(part, size - off);
                int n = parts.size() + 1;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(n)
                        .contentLength(len), RequestBody.fromContentProvider(() -> slice(file, from, len), len,
                        "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
                    .multipartUpload(u -> u.parts(parts)).ifNoneMatch(ifAbsent ? "*" : null));
            done = true;
        } finally {
            if (!done) {
                abort(key, id);
            }
        }
    }

    private void abort(String key, String id) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
        } catch (SdkException e) {
            // S3 expires it (a bucket lifecycle rule AbortIncompleteMultipartUpload); never visible meanwhile
        }
    }

    private Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Bytes {@code [from, from + len)} of the file; the SDK may open it more than once (signing, retries). */
    private static InputStream slice(Path file, long from, long len) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(from);
            return BoundedInputStream.builder().setInputStream(Channels.newInputStream(ch)).setMaxCount(len).get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CacheWriteException failed(String key, RuntimeException e) {
        String status = e instanceof S3Exception s ? " answered " + s.statusCode() : " failed";
        return new CacheWriteException("upload of " + key + " to bucket " + bucket + status + ": " + e.getMessage(), e);
    }
}
