package io.binaryrepo.maven;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the checksums upstream gives for a file: the {@code X-Checksum-*} response headers, and sidecar
 * files ({@code foo.jar.sha1}). Sidecars come in three shapes on real repositories: the bare hex (what
 * Maven deploys), {@code sha1sum} format ({@code <hex>  <file name>}: the first token) and BSD format
 * ({@code SHA1 (file) = <hex>}: the last token). Stateless.
 */
final class Checksums {
    /** Sidecars are one line; anything longer is not a checksum file. */
    static final int MAX_SIDECAR_BYTES = 1024;

    private Checksums() {
    }

    /**
     * The strongest valid checksum among the {@code X-Checksum-Sha512/-Sha256/-Sha1/-Md5} headers; a header
     * whose value is not a checksum of its algorithm is ignored.
     *
     * @param header the first value of a response header, or null when absent
     */
    static Optional<ExpectedChecksum> fromHeaders(Function<String, String> header) {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.STRONGEST_FIRST) {
            String v = header.apply(a.header());
            Optional<String> hex = a.hex(v == null ? null : v.trim());
            if (hex.isPresent()) {
                return Optional.of(new ExpectedChecksum(a, hex.get(), a.header()));
            }
        }
        return Optional.empty();
    }

    /**
     * The checksum a sidecar file states: its first whitespace-separated token, or its last when the first
     * is not a checksum (BSD format); empty when neither is a checksum of {@code algorithm} or the body is
     * longer than {@link #MAX_SIDECAR_BYTES}.
     */
    static Optional<ExpectedChecksum> fromSidecar(byte[] body, ChecksumAlgorithm algorithm, String source) {
        if (body.length == 0 || body.length > MAX_SIDECAR_BYTES) {
            return Optional.empty();
        }
        String[] tokens = new String(body, StandardCharsets.ISO_8859_1).trim().split("\\s+");
        Optional<String> hex = algorithm.hex(tokens[0]);
        if (hex.isEmpty() && tokens.length > 1) {
            hex = algorithm.hex(tokens[tokens.length - 1]);
        }
        return hex.map(h -> new ExpectedChecksum(algorithm, h, source));
    }

    /** The body binaryrepo serves for a sidecar: the bare lowercase hex, as Maven deploys it. */
    static byte[] sidecarBody(String hex) {
        return hex.getBytes(StandardCharsets.US_ASCII);
    }
}
