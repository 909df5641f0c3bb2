package io.binaryrepo.npm;

import io.binaryrepo.repo.KeySegments;

import io.binaryrepo.repo.ProxyError;
import java.util.regex.Pattern;

/**
 * A validated npm package name, plain ({@code express}) or scoped ({@code @types/node}).
 *
 * <p>The rules are those of {@code validate-npm-package-name} for names the registry holds, legacy ones
 * included (upper case letters exist in old names such as {@code JSONStream}): at most 214 characters, only
 * characters {@code encodeURIComponent} leaves alone, not starting with {@code .} or {@code _}. So a name
 * can never contain {@code /}, {@code %} or {@code ..} as a path element, and storage keys built from it
 * stay inside the repository's directory. Immutable.
 *
 * @param scope the scope without {@code @} (e.g. {@code types}), or null for an unscoped name
 * @param bare the name without its scope (e.g. {@code node})
 */
record PackageName(String scope, String bare) {
    /** npm's limit on the whole name, scope included. */
    static final int MAX_LENGTH = 214;
    /** What encodeURIComponent does not escape, with no leading dot or underscore. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9~!*'()-][A-Za-z0-9._~!*'()-]*");

    /**
     * Parses {@code @scope/name} or {@code name} (already unescaped: the caller has turned {@code %2f} and
     * {@code %40} into {@code /} and {@code @}).
     *
     * @throws ProxyError 400 when it is no valid package name
     */
    static PackageName parse(String name) {
        if (name.isEmpty()) {
            throw bad("empty package name");
        }
        if (name.length() > MAX_LENGTH) {
            throw bad("package name longer than " + MAX_LENGTH + " characters");
        }
        if (name.startsWith("@")) {
            int slash = name.indexOf('/');
            if (slash < 0) {
                throw bad("scoped package name '" + name + "' has no '/': expected @scope/name");
            }
            return new PackageName(part(name.substring(1, slash), name, "scope"),
                    part(name.substring(slash + 1), name, "name"));
        }
        return new PackageName(null, part(name, name, "name"));
    }

    private static String part(String part, String whole, String what) {
        if (!PART.matcher(part).matches()) {
            throw bad("invalid package name '" + whole + "': the " + what + " must be URL-safe characters "
                    + "(letters, digits, - . _ ~ ! * ' ( )) not starting with . or _");
        }
        return part;
    }

    /** The storage key path of the package: {@code _40scope/name} for {@code @scope/name}, else the encoded name. */
    String keyPath() {
        return scoped() ? KeySegments.encode("@" + scope) + "/" + KeySegments.encode(bare) : KeySegments.encode(bare);
    }

    boolean scoped() {
        return scope != null;
    }

    /** {@code @scope/name} or {@code name}. */
    @Override
    public String toString() {
        return scoped() ? "@" + scope + "/" + bare : bare;
    }

    /** The path upstream registries answer the packument at: {@code @scope%2fname} or {@code name}. */
    String packumentPath() {
        return scoped() ? "@" + scope + "%2f" + bare : bare;
    }

    private static ProxyError bad(String message) {
        return new ProxyError(400, "BAD_NAME", message);
    }
}
