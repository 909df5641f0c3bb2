package io.binaryrepo.docker;

import io.binaryrepo.cache.ContentCheck;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI distribution spec writes it: {@code algorithm:hex}. Only the algorithms
 * registries use are accepted ({@code sha256}, {@code sha512}), with lowercase hex of the exact length,
 * so a digest is always safe to use as a file name. Immutable.
 */
record Digest(String algorithm, String hex) {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");

    /**
     * Parses {@code text}.
     *
     * @throws InvalidDigestException with a message that says precisely what is wrong
     */
    static Digest parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidDigestException("empty digest");
        }
        if (text.length() > 256) {
            throw new InvalidDigestException("digest longer than 256 characters");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new InvalidDigestException("digest '" + text + "' has no algorithm (expected sha256:<64 hex>)");
        }
        String alg = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        if (!ALGORITHM.matcher(alg).matches()) {
            throw new InvalidDigestException("malformed digest algorithm in '" + text + "'");
        }
        Pattern expected = switch (alg) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new InvalidDigestException("unsupported digest algorithm '" + alg
                    + "' (supported: sha256, sha512)");
        };
        if (!expected.matcher(hex).matches()) {
            throw new InvalidDigestException("digest '" + text + "' must be " + alg + ": followed by "
                    + (alg.equals("sha256") ? 64 : 128) + " lowercase hex characters");
        }
        return new Digest(alg, hex);
    }

    /** The digest of {@code data} with this digest's algorithm. */
    Digest of(byte[] data) {
        return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest().digest(data)));
    }

    static Digest sha256(byte[] data) {
        return new Digest("sha256", "0".repeat(64)).of(data);
    }

    String javaAlgorithm() {
        return algorithm.equals("sha256") ? "SHA-256" : "SHA-512";
    }

    MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(javaAlgorithm());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    ContentCheck check(long expectedSize) {
        return new ContentCheck(javaAlgorithm(), hex, expectedSize);
    }

    /** Storage key segments: {@code sha256/ab/abcdef...} (two-character fan-out keeps directories small). */
    String keyPath() {
        return algorithm + "/" + hex.substring(0, 2) + "/" + hex;
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    /** A malformed digest; answered 400 DIGEST_INVALID. */
    static final class InvalidDigestException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidDigestException(String message) {
            super(message);
        }
    }
}
