package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What downloaded content must be before it may be committed: its digest and, when known, its size.
 *
 * @param algorithm a {@link MessageDigest} algorithm name such as {@code SHA-256}
 * @param expectedHex the expected digest, lowercase hex; null when only the size can be checked (the
 *     client verifies the content itself, as the go command does with the checksum database)
 * @param expectedSize the expected size in bytes, or -1 when unknown
 * @param verifier a check of the whole written content that a running digest cannot make (a Go module
 *     zip's {@code h1:} hash over its files), run on the download's thread after digest and size matched and
 *     before the commit; null for none. Not applied to passthrough (a full cache), which cannot read the
 *     content twice.
 */
public record ContentCheck(String algorithm, String expectedHex, long expectedSize, Verifier verifier) {

    public ContentCheck {
        Objects.requireNonNull(algorithm, "algorithm");
        newDigest(algorithm);
    }

    /** A check without a {@link Verifier}. */
    public ContentCheck(String algorithm, String expectedHex, long expectedSize) {
        this(algorithm, expectedHex, expectedSize, null);
    }

    /** This check, with {@code verifier} run over the written content before the commit. */
    public ContentCheck withVerifier(Verifier verifier) {
        return new ContentCheck(algorithm, expectedHex, expectedSize, verifier);
    }

    /** Checks written content as a whole, reading it back from the spool (never holding it in memory). */
    @FunctionalInterface
    public interface Verifier {
        /**
         * @param content the content as written, positioned at 0; the caller closes it
         * @param size its length in bytes
         * @throws IOException when the content is not what it must be: nothing is committed
         */
        void verify(SeekableByteChannel content, long size) throws IOException;
    }

    MessageDigest newDigest() {
        return newDigest(algorithm);
    }

    boolean matches(MessageDigest digest) {
        return expectedHex == null || HexFormat.of().formatHex(digest.digest()).equals(expectedHex);
    }

    /** A check of the size alone (-1: the announced length), for content without a known digest. */
    public static ContentCheck sizeOnly(long expectedSize) {
        return new ContentCheck("SHA-256", null, expectedSize);
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unsupported digest algorithm " + algorithm, e);
        }
    }
}
