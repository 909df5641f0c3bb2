package io.binaryrepo.maven;

import io.binaryrepo.cache.ContentCheck;
import java.util.Objects;

/**
 * The checksum upstream gives for a file, which the downloaded bytes must match before they are committed.
 *
 * @param algorithm the algorithm
 * @param hex the expected value, lowercase hex of the algorithm's length
 * @param source where it came from (a header name or the sidecar path), for log and error messages
 */
record ExpectedChecksum(ChecksumAlgorithm algorithm, String hex, String source) {

    ExpectedChecksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(source, "source");
        if (!algorithm.hex(hex).map(hex::equals).orElse(false)) {
            throw new IllegalArgumentException("not a lowercase " + algorithm + " checksum: " + hex);
        }
    }

    /** The cache's check of this checksum, with the size when upstream announced one (-1: unknown). */
    ContentCheck toContentCheck(long expectedSize) {
        return new ContentCheck(algorithm.digestName(), hex, expectedSize);
    }
}
