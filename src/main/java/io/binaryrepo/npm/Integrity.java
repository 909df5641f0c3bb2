package io.binaryrepo.npm;

import io.binaryrepo.cache.ContentCheck;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a tarball must hash to, from its packument's {@code dist}: {@code integrity} is a Subresource
 * Integrity string (<a href="https://www.w3.org/TR/SRI/#the-integrity-attribute">W3C SRI</a>,
 * {@code sha512-<base64>}, possibly several space-separated hashes), {@code shasum} the older SHA-1 hex
 * digest that every packument still carries. The strongest hash given is used. Stateless.
 */
final class Integrity {
    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-fA-F]{40}");

    private Integrity() {
    }

    /**
     * The check of a tarball: the strongest of {@code integrity}'s sha512/sha384/sha256 hashes, else
     * {@code shasum} as SHA-1; empty when neither is usable.
     *
     * @param integrity the {@code dist.integrity} value, or null
     * @param shasum the {@code dist.shasum} value, or null
     * @param size {@code dist.unpackedSize} is not the tarball's size, so packuments never give it: pass -1
     */
    static Optional<ContentCheck> check(String integrity, String shasum, long size) {
        if (integrity != null) {
            String best = null;
            int bestRank = 0;
            for (String token : integrity.trim().split("\\s+")) {
                int dash = token.indexOf('-');
                if (dash < 0) {
                    continue;
                }
                int rank = rank(token.substring(0, dash).toLowerCase(Locale.ROOT));
                String hex = hex(token.substring(dash + 1), rank);
                if (rank > bestRank && hex != null) {
                    bestRank = rank;
                    best = algorithm(rank) + ":" + hex;
                }
            }
            if (best != null) {
                int colon = best.indexOf(':');
                return Optional.of(new ContentCheck(best.substring(0, colon), best.substring(colon + 1), size));
            }
        }
        if (shasum != null && SHA1_HEX.matcher(shasum).matches()) {
            return Optional.of(new ContentCheck("SHA-1", shasum.toLowerCase(Locale.ROOT), size));
        }
        return Optional.empty();
    }

    private static int rank(String algorithm) {
        switch (algorithm) {
            case "sha512":
                return 3;
            case "sha384":
                return 2;
            case "sha256":
                return 1;
            default:
                return 0; // unknown algorithms are ignored, as SRI says
        }
    }

    private static String algorithm(int rank) {
        return rank == 3 ? "SHA-512" : rank == 2 ? "SHA-384" : "SHA-256";
    }

    /** The digest as lowercase hex, or null when the base64 is malformed or the wrong length. */
    private static String hex(String base64, int rank) {
        if (rank == 0) {
            return null;
        }
        int q = base64.indexOf('?'); // SRI options, unused
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(q < 0 ? base64 : base64.substring(0, q));
        } catch (IllegalArgumentException e) {
            return null;
        }
        int expected = rank == 3 ? 64 : rank == 2 ? 48 : 32;
        return digest.length == expected ? HexFormat.of().formatHex(digest) : null;
    }
}
