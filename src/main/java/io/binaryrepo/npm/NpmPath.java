package io.binaryrepo.npm;

import io.binaryrepo.repo.KeySegments;

import io.binaryrepo.repo.ProxyError;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A request path inside an npm repository, parsed and validated. The registry API
 * (<a href="https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md">REGISTRY-API.md</a>):
 * <ul>
 * <li>{@code <name>} and {@code @scope%2fname}: the packument (npm encodes the scope's slash; {@code %2F},
 *     {@code %40scope} and an unencoded {@code @scope/name} are accepted too);</li>
 * <li>{@code <name>/<version-or-tag>}: one version's manifest;</li>
 * <li>{@code <name>/-/<file>.tgz} (scoped: {@code @scope/name/-/name-1.0.0.tgz}): a tarball;</li>
 * <li>{@code -/ping}, {@code -/v1/search}, {@code -/npm/v1/security/advisories/bulk},
 *     {@code -/npm/v1/security/audits/quick}.</li>
 * </ul>
 * The path is raw (not percent-decoded); the only escapes decoded are {@code %2f}/{@code %2F} (the scope's
 * slash) and {@code %40} ({@code @}) in the name: every other {@code %} is refused, so no escape can
 * smuggle {@code ..} or another slash into what is addressed. Malformed paths are a {@link ProxyError} 400,
 * paths that are no registry endpoint 404. Immutable.
 *
 * @param kind what is asked for
 * @param name the package, for {@link Kind#PACKUMENT}, {@link Kind#VERSION} and {@link Kind#TARBALL}; else null
 * @param item the version or dist-tag for {@link Kind#VERSION}, the file name for {@link Kind#TARBALL}; else null
 */
record NpmPath(Kind kind, PackageName name, String item) {

    enum Kind { PACKUMENT, VERSION, TARBALL, PING, SEARCH, AUDIT_BULK, AUDIT_QUICK }

    /** Longer raw paths are refused before any parsing. */
    static final int MAX_RAW = 1024;
    /** A semver version (with prerelease and build) or a dist-tag. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,255}");
    /** A tarball file name: URL-safe, no leading dot, ending in .tgz. */
    private static final Pattern TARBALL = Pattern.compile("[A-Za-z0-9~!*'()-][A-Za-z0-9._~!*'()+-]{0,250}\\.tgz");

    /**
     * Parses a raw path inside an npm repository (no leading slash, not percent-decoded).
     *
     * @throws ProxyError 400 for malformed paths, 404 for paths that are no registry endpoint
     */
    static NpmPath parse(String raw) {
        if (raw.length() > MAX_RAW) {
            throw bad("path longer than " + MAX_RAW + " characters");
        }
        if (raw.isEmpty()) {
            throw new ProxyError(404, "NOT_FOUND", "this is an npm registry: set it with "
                    + "'npm config set registry <this URL>' and ask for /<package>");
        }
        if (raw.startsWith("-/")) {
            return special(raw);
        }
        String path = unescape(raw);
        String[] parts = path.split("/", -1);
        for (String part : parts) {
            if (part.equals(".") || part.equals("..")) {
                throw bad("'.' and '..' are not allowed as path elements: /" + raw);
            }
        }
        int nameParts = path.startsWith("@") ? 2 : 1;
        if (parts.length < nameParts) {
            throw bad("scoped package name '" + path + "' has no '/': expected @scope/name");
        }
        PackageName name = PackageName.parse(nameParts == 2 ? parts[0] + "/" + parts[1] : parts[0]);
        int rest = parts.length - nameParts;
        if (rest == 0) {
            return new NpmPath(Kind.PACKUMENT, name, null);
        }
        if (rest == 1 && parts[nameParts].isEmpty()) {
            return new NpmPath(Kind.PACKUMENT, name, null); // a trailing slash, as some clients send
        }
        if (rest == 1) {
            String v = parts[nameParts];
            if (!VERSION.matcher(v).matches()) {
                throw bad("invalid version or dist-tag '" + v + "' of " + name);
            }
            return new NpmPath(Kind.VERSION, name, v);
        }
        if (rest == 2 && parts[nameParts].equals("-")) {
            String file = parts[nameParts + 1];
            if (!TARBALL.matcher(file).matches()) {
                throw bad("invalid tarball file name '" + file + "' of " + name + ": expected <name>-<version>.tgz");
            }
            return new NpmPath(Kind.TARBALL, name, file);
        }
        throw new ProxyError(404, "NOT_FOUND", "no such registry endpoint: /" + raw);
    }

    private static NpmPath special(String raw) {
        String p = raw.substring(2);
        switch (p) {
            case "ping":
                return new NpmPath(Kind.PING, null, null);
            case "v1/search":
                return new NpmPath(Kind.SEARCH, null, null);
            case "npm/v1/security/advisories/bulk":
                return new NpmPath(Kind.AUDIT_BULK, null, null);
            case "npm/v1/security/audits/quick":
                return new NpmPath(Kind.AUDIT_QUICK, null, null);
            default:
                throw new ProxyError(404, "NOT_FOUND", "binaryrepo does not serve /" + raw
                        + " (a read-only cache answers -/ping, -/v1/search and npm audit)");
        }
    }

    /** Decodes the scope's {@code %2f} and {@code %40}; refuses every other escape. */
    private static String unescape(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder b = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            String esc = i + 2 < raw.length() ? raw.substring(i + 1, i + 3).toLowerCase(Locale.ROOT) : "";
            if (esc.equals("2f") && b.length() > 1 && b.charAt(0) == '@' && b.indexOf("/") < 0) {
                b.append('/');
            } else if (esc.equals("40") && b.length() == 0) {
                b.append('@');
            } else {
                throw bad("percent-encoded characters are allowed only for a scoped name's '@' (%40) and its "
                        + "'/' (%2f): /" + raw);
            }
            i += 2;
        }
        return b.toString();
    }

    /** The storage key of a packument or tarball, under {@code npm/<repository>/}. */
    String key(String repository) {
        String pkg = name.keyPath();
        switch (kind) {
            case PACKUMENT:
            case VERSION:
                return "npm/" + repository + "/packuments/" + pkg + "/_packument";
            case TARBALL:
                return "npm/" + repository + "/tarballs/" + pkg + "/" + KeySegments.encode(item);
            default:
                throw new IllegalStateException(kind + " has no storage key");
        }
    }

    /**
     * The tarball's path relative to the registry root, as packuments name it:
     * {@code @scope/name/-/name-1.0.0.tgz} or {@code name/-/name-1.0.0.tgz}.
     */
    String tarballPath() {
        return name + "/-/" + item;
    }

    private static ProxyError bad(String message) {
        return new ProxyError(400, "BAD_REQUEST", message);
    }
}
