package io.binaryrepo.docker;

import io.binaryrepo.repo.ProxyError;
import java.util.regex.Pattern;

/**
 * The pull API paths of the OCI distribution spec, parsed and validated:
 * {@code v2/}, {@code v2/<name>/manifests/<reference>}, {@code v2/<name>/blobs/<digest>},
 * {@code v2/<name>/tags/list}. Anything else, and anything malformed, is a {@link ProxyError} with the
 * OCI error code the spec gives. Immutable.
 *
 * @param kind what is asked for
 * @param name repository (image) name, e.g. {@code library/alpine}; null for {@link Kind#BASE}
 * @param tag the tag, for a manifest by tag; else null
 * @param digest the digest, for a manifest by digest or a blob; else null
 */
record DockerPath(Kind kind, String name, String tag, Digest digest) {

    enum Kind { BASE, MANIFEST, BLOB, TAGS, REFERRERS }

    /** OCI distribution spec, "Pulling manifests": the name grammar. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    /** distribution's limit on the whole name. */
    static final int MAX_NAME = 255;

    /**
     * Parses a raw (not percent-decoded) path inside a Docker repository.
     *
     * @param raw e.g. {@code v2/library/alpine/manifests/latest}
     * @param method the HTTP method, to answer pushes with UNSUPPORTED rather than a path error
     */
    static DockerPath parse(String raw, String method) {
        if (raw.indexOf('%') >= 0) {
            throw new ProxyError(400, "NAME_INVALID",
                    "percent-encoded characters are not allowed in registry paths");
        }
        if (raw.indexOf('\\') >= 0) {
            throw new ProxyError(400, "NAME_INVALID", "backslashes are not allowed in registry paths");
        }
        if (raw.equals("v2") || raw.equals("v2/")) {
            return new DockerPath(Kind.BASE, null, null, null);
        }
        if (!raw.startsWith("v2/")) {
            throw new ProxyError(404, "NAME_UNKNOWN", "not a registry API path (expected /v2/...)");
        }
        String[] s = raw.substring(3).split("/", -1);
        int n = s.length;
        if (n >= 3 && s[n - 2].equals("uploads") && s[n - 3].equals("blobs")
                || n >= 3 && s[n - 1].equals("uploads") && s[n - 2].equals("blobs")) {
            throw unsupported("uploads");
        }
        if (n == 1 && s[0].equals("_catalog")) {
            throw new ProxyError(404, "UNSUPPORTED", "the catalog is not available through a pull-through cache");
        }
        if (n >= 3 && s[n - 2].equals("tags") && s[n - 1].equals("list")) {
            return new DockerPath(Kind.TAGS, name(s, n - 2), null, null);
        }
        if (n >= 3 && s[n - 2].equals("manifests")) {
            String name = name(s, n - 2);
            String ref = s[n - 1];
            // A reference that is neither a tag nor a digest names no manifest: 404 MANIFEST_UNKNOWN, as the
            // OCI distribution spec's pull conformance tests require (MANIFEST_INVALID is a push-side code).
            if (ref.contains(":")) {
                try {
                    return new DockerPath(Kind.MANIFEST, name, null, Digest.parse(ref));
                } catch (Digest.InvalidDigestException e) {
                    throw new ProxyError(404, "MANIFEST_UNKNOWN", e.getMessage());
                }
            }
            if (!TAG.matcher(ref).matches()) {
                throw new ProxyError(404, "MANIFEST_UNKNOWN", ref.isEmpty() ? "empty tag"
                        : ref.length() > 128 ? "tag longer than 128 characters"
                        : "invalid tag '" + ref + "' (must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
            }
            return new DockerPath(Kind.MANIFEST, name, ref, null);
        }
        if (n >= 3 && s[n - 2].equals("blobs")) {
            return new DockerPath(Kind.BLOB, name(s, n - 2), null, digest(s[n - 1]));
        }
        if (n >= 3 && s[n - 2].equals("referrers")) {
            return new DockerPath(Kind.REFERRERS, name(s, n - 2), null, digest(s[n - 1]));
        }
        throw new ProxyError(404, "NAME_UNKNOWN", "not a registry pull API path: expected "
                + "<name>/manifests/<reference>, <name>/blobs/<digest> or <name>/tags/list");
    }

    private static ProxyError unsupported(String what) {
        // No method at all is allowed on an upload URL of a read-only cache: an empty Allow says so.
        return new ProxyError(405, "UNSUPPORTED", "binaryrepo is a read-only pull-through cache: " + what
                + " are not supported", java.util.Map.of("Allow", ""));
    }

    private static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (Digest.InvalidDigestException e) {
            throw new ProxyError(400, "DIGEST_INVALID", e.getMessage());
        }
    }

    private static String name(String[] s, int end) {
        if (end == 0) {
            throw new ProxyError(400, "NAME_INVALID", "missing repository name");
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < end; i++) {
            String c = s[i];
            if (!COMPONENT.matcher(c).matches()) {
                throw new ProxyError(400, "NAME_INVALID", c.isEmpty() ? "empty path component in repository name"
                        : c.equals("..") || c.equals(".") ? "relative path component '" + c + "' in repository name"
                        : "invalid repository name component '" + abbreviate(c)
                        + "' (lowercase letters, digits and single separators . _ __ -)");
            }
            if (i > 0) {
                b.append('/');
            }
            b.append(c);
            if (b.length() > MAX_NAME) {
                throw new ProxyError(400, "NAME_INVALID", "repository name longer than " + MAX_NAME + " characters");
            }
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
