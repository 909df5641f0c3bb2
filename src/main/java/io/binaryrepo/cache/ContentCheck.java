package io.binaryrepo.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What downloaded content must be before it may be committed: its digest and, when known, its size.
 *
 * @param algorithm a {@link MessageDigest} algorithm name such as {@code SHA-256}
 * @param expectedHex the expected digest, lowercase hex
 * @param expectedSize the expected size in bytes, or -1 when unknown
 */
public record ContentCheck(String algorithm, String expectedHex, long expectedSize) {

    public ContentCheck {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(expectedHex, "expectedHex");
        newDigest(algorithm);
    }

    MessageDigest newDigest() {
        return newDigest(algorithm);
    }

    boolean matches(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest()).equals(expectedHex);
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unsupported digest algorithm " + algorithm, e);
        }
    }
}
