package io.binaryrepo.helm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A chart as an index fetched from the repository's upstream names it: where it is, and what its
 * bytes must hash to. Immutable.
 *
 * @param url the absolute upstream URL of the {@code .tgz} (ASCII, percent-encoded, no fragment)
 * @param sha256 the index entry's {@code digest}, lowercase hex; null when the entry has none (then
 *     only the announced length is checked)
 */
record ChartRef(String url, String sha256) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** The token in a proxied chart URL: 32 hex characters. */
    static final Pattern TOKEN = Pattern.compile("[0-9a-f]{32}");

    /**
     * The name of this chart under the repository: the first 128 bits of
     * {@code sha256(url + "\n" + digest)}. Deterministic, so the same index entry gets the same URL after
     * a restart or on another node; a different digest for the same URL (a chart republished upstream)
     * gets a different token, so the old cached bytes are never served for the new entry.
     */
    String token() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(url.getBytes(StandardCharsets.US_ASCII));
            md.update((byte) '\n');
            if (sha256 != null) {
                md.update(sha256.getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sha256 hex of an index {@code digest} field ({@code <hex>} as Helm writes it, or
     * {@code sha256:<hex>}), or null when the field is absent or not a sha256.
     */
    static String digestOf(String field) {
        if (field == null) {
            return null;
        }
        String d = field.trim().toLowerCase(Locale.ROOT);
        if (d.startsWith("sha256:")) {
            d = d.substring("sha256:".length());
        }
        return HEX64.matcher(d).matches() ? d : null;
    }
}
