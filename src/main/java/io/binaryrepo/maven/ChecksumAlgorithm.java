package io.binaryrepo.maven;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The checksum algorithms of Maven repositories: the sidecar file extensions ({@code .md5}, {@code .sha1},
 * {@code .sha256}, {@code .sha512}) and the response headers some repositories send
 * ({@code X-Checksum-Sha1}, read by the resolver since MRESOLVER-231). Declared weakest first, so
 * {@link #STRONGEST_FIRST} is the order in which an expected checksum is chosen.
 */
enum ChecksumAlgorithm {
    MD5("md5", "MD5", 32, "X-Checksum-Md5"),
    SHA1("sha1", "SHA-1", 40, "X-Checksum-Sha1"),
    SHA256("sha256", "SHA-256", 64, "X-Checksum-Sha256"),
    SHA512("sha512", "SHA-512", 128, "X-Checksum-Sha512");

    /** Strongest first: the preference when upstream gives several. */
    static final List<ChecksumAlgorithm> STRONGEST_FIRST = List.of(SHA512, SHA256, SHA1, MD5);

    private final String extension;
    private final String digestName;
    private final int hexLength;
    private final String header;

    ChecksumAlgorithm(String extension, String digestName, int hexLength, String header) {
        this.extension = extension;
        this.digestName = digestName;
        this.hexLength = hexLength;
        this.header = header;
    }

    /** The sidecar extension without the dot, e.g. {@code sha1}. */
    String extension() {
        return extension;
    }

    /** The {@link MessageDigest} algorithm name, e.g. {@code SHA-1}. */
    String digestName() {
        return digestName;
    }

    /** The response header carrying this checksum, e.g. {@code X-Checksum-Sha1}. */
    String header() {
        return header;
    }

    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(digestName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + digestName, e);
        }
    }

    /** The algorithm of a sidecar file name ({@code foo.jar.sha1}), if the name is one. */
    static Optional<ChecksumAlgorithm> ofFileName(String fileName) {
        for (ChecksumAlgorithm a : values()) {
            if (fileName.endsWith("." + a.extension) && fileName.length() > a.extension.length() + 1) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code text} as a checksum of this algorithm: lowercase hex of the right length, or empty when it is
     * not one (wrong length, not hex).
     */
    Optional<String> hex(String text) {
        if (text == null || text.length() != hexLength) {
            return Optional.empty();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return Optional.empty();
            }
        }
        return Optional.of(lower);
    }
}
