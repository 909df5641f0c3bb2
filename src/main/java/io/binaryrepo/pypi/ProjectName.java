package io.binaryrepo.pypi;

import io.binaryrepo.repo.ProxyError;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Project names as the simple repository API uses them: valid names are those of the core metadata
 * specification (ASCII letters, digits, {@code .}, {@code _}, {@code -}, starting and ending with a letter or
 * digit); the normalised form (PEP 503) is lowercase with every run of {@code -}, {@code _}, {@code .}
 * replaced by one {@code -}. A normalised name is also a valid storage key segment. Stateless.
 */
final class ProjectName {
    /** Longest name accepted; PyPI's longest names are well under 100 characters. */
    static final int MAX_LENGTH = 200;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");

    private ProjectName() {
    }

    /** Whether {@code name} is a valid project name (normalised or not). */
    static boolean isValid(String name) {
        return name.length() <= MAX_LENGTH && VALID.matcher(name).matches();
    }

    /** The PEP 503 normalised form of a valid name. */
    static String normalize(String name) {
        return SEPARATORS.matcher(name).replaceAll("-").toLowerCase(Locale.ROOT);
    }

    /**
     * The normalised form of a name from a request path.
     *
     * @throws ProxyError 404 for a string that is not a project name
     */
    static String parse(String raw) {
        if (!isValid(raw)) {
            String shown = raw.length() > 100 ? raw.substring(0, 100) + "..." : raw;
            throw new ProxyError(404, "NOT_FOUND", "'" + shown + "' is not a valid project name (letters, digits, "
                    + "'.', '_' and '-', starting and ending with a letter or digit, at most " + MAX_LENGTH
                    + " characters)");
        }
        return normalize(raw);
    }
}
