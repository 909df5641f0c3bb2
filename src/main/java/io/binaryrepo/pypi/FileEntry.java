package io.binaryrepo.pypi;

import io.binaryrepo.cache.ContentCheck;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a project page says about one file: its hash (the {@code #<alg>=<hex>} fragment, or JSON
 * {@code hashes}), its size (PEP 700, JSON only) and whether its core metadata file is advertised (PEP 658/714)
 * with which hash. Immutable.
 *
 * @param hash the file's hash, or null when the page gives none
 * @param size the file's size in bytes, or -1 when unknown
 * @param metadata whether {@code <file>.metadata} is advertised
 * @param metadataHash the metadata file's hash, or null when advertised without one ({@code true})
 */
record FileEntry(Hash hash, long size, boolean metadata, Hash metadataHash) {

    /** A hash of a file: a {@link java.security.MessageDigest} algorithm and lowercase hex. */
    record Hash(String algorithm, String hex) {
        /** Index hash names (hashlib's, as PEP 503 and 691 use them) to Java digest names, most preferred first. */
        private static final Map<String, String> ALGORITHMS = Map.of("sha256", "SHA-256", "sha512", "SHA-512",
                "sha384", "SHA-384", "sha224", "SHA-224", "sha1", "SHA-1", "md5", "MD5");
        private static final String[] PREFERENCE = {"sha256", "sha512", "sha384", "sha224", "sha1", "md5"};
        private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{32,128}");

        /** The hash named {@code name} (e.g. {@code sha256}) with value {@code hex}, if both are usable. */
        static Optional<Hash> of(String name, String hex) {
            String alg = ALGORITHMS.get(name.toLowerCase(Locale.ROOT));
            if (alg == null || hex == null || !HEX.matcher(hex).matches()) {
                return Optional.empty();
            }
            return Optional.of(new Hash(alg, hex.toLowerCase(Locale.ROOT)));
        }

        /** A {@code <name>=<hex>} fragment or attribute value ({@code sha256=...}), if usable. */
        static Optional<Hash> parse(String nameEqualsHex) {
            if (nameEqualsHex == null) {
                return Optional.empty();
            }
            int eq = nameEqualsHex.indexOf('=');
            return eq < 0 ? Optional.empty() : of(nameEqualsHex.substring(0, eq), nameEqualsHex.substring(eq + 1));
        }

        /** The preferred usable hash of a JSON {@code hashes} map (name to hex). */
        static Optional<Hash> preferred(Map<String, String> hashes) {
            for (String name : PREFERENCE) {
                Optional<Hash> h = of(name, hashes.get(name));
                if (h.isPresent()) {
                    return h;
                }
            }
            return Optional.empty();
        }

        /** The index's name for the algorithm ({@code sha256}). */
        String indexName() {
            return algorithm.toLowerCase(Locale.ROOT).replace("-", "");
        }
    }

    /**
     * What the downloaded file must be before it is committed. A page without a hash (a plain file tree can
     * lack them) leaves only the size to check: the file is then cached as upstream sent it, as pip itself
     * would install it without a hash to compare; the connection's length is still verified.
     */
    ContentCheck fileCheck() {
        return hash == null ? ContentCheck.sizeOnly(size) : new ContentCheck(hash.algorithm(), hash.hex(), size);
    }

    /** What the metadata file must be: its advertised hash (PEP 658), else only its length. */
    ContentCheck metadataCheck() {
        return metadataHash == null ? ContentCheck.sizeOnly(-1)
                : new ContentCheck(metadataHash.algorithm(), metadataHash.hex(), -1);
    }
}
