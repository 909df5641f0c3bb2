package io.binaryrepo.gomod;

import java.util.Locale;
import java.util.Set;

/**
 * Go module paths as {@code golang.org/x/mod/module} defines them: the validity rules of
 * {@code module.CheckPath} and the case escaping of the GOPROXY protocol (every capital letter is
 * {@code !} plus its lowercase, so that module paths survive case-insensitive file systems). A port of
 * that package's rules, kept literal so the two can be compared line by line. Stateless.
 */
final class ModulePath {
    /** Reserved file names on Windows, which {@code module.checkElem} refuses as path elements. */
    private static final Set<String> WINDOWS_NAMES = Set.of("CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3",
            "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7",
            "LPT8", "LPT9");

    private ModulePath() {
    }

    /**
     * Undoes the case escaping ({@code module.unescapeString}): {@code !x} becomes {@code X}.
     *
     * @return the unescaped text, or null when {@code escaped} is not a valid escaped form (a capital
     *     letter, a {@code !} not followed by a lowercase letter, a non-ASCII character)
     */
    static String unescape(String escaped) {
        StringBuilder b = new StringBuilder(escaped.length());
        boolean bang = false;
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            if (bang) {
                bang = false;
                if (c < 'a' || c > 'z') {
                    return null;
                }
                b.append((char) (c - 'a' + 'A'));
                continue;
            }
            if (c == '!') {
                bang = true;
                continue;
            }
            if (c >= 'A' && c <= 'Z') {
                return null;
            }
            b.append(c);
        }
        return bang ? null : b.toString();
    }

    /** The case-escaped form ({@code module.escapeString}) of a path or version that has no {@code !}. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                b.append('!').append((char) (c - 'A' + 'a'));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Checks a module path ({@code module.CheckPath}).
     *
     * @return null when valid, else why not (for the client's error message)
     */
    static String check(String path) {
        if (path.isEmpty()) {
            return "empty string";
        }
        if (path.charAt(0) == '-') {
            return "leading dash";
        }
        if (path.contains("//")) {
            return "double slash";
        }
        if (path.charAt(path.length() - 1) == '/') {
            return "trailing slash";
        }
        for (String elem : path.split("/", -1)) {
            String bad = checkElement(elem, Kind.MODULE);
            if (bad != null) {
                return bad;
            }
        }
        int slash = path.indexOf('/');
        String first = slash < 0 ? path : path.substring(0, slash);
        if (first.isEmpty()) {
            return "leading slash";
        }
        if (first.indexOf('.') < 0) {
            return "missing dot in first path element";
        }
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (!(c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) {
                return "invalid char '" + c + "' in first path element";
            }
        }
        if (splitPathVersion(path) == null) {
            return "invalid version suffix";
        }
        return null;
    }

    /**
     * Checks a version string as {@code module.EscapeVersion} does: a valid file name element without
     * {@code !}.
     *
     * @return null when valid, else why not
     */
    static String checkVersion(String version) {
        if (version.indexOf('!') >= 0) {
            return "'!' in version";
        }
        return checkElement(version, Kind.FILE);
    }

    /** Which character rules apply ({@code module.pathKind}; import paths are not needed here). */
    enum Kind { MODULE, FILE }

    /** {@code module.checkElem}. */
    static String checkElement(String elem, Kind kind) {
        if (elem.isEmpty()) {
            return "empty path element";
        }
        if (elem.chars().allMatch(c -> c == '.')) {
            return "invalid path element '" + elem + "'";
        }
        if (elem.charAt(0) == '.' && kind == Kind.MODULE) {
            return "leading dot in path element";
        }
        if (elem.charAt(elem.length() - 1) == '.') {
            return "trailing dot in path element";
        }
        for (int i = 0; i < elem.length(); i++) {
            char c = elem.charAt(i);
            boolean ok = kind == Kind.MODULE ? modulePathChar(c) : fileNameChar(c);
            if (!ok) {
                return "invalid char '" + c + "'";
            }
        }
        int dot = elem.indexOf('.');
        String shortName = dot < 0 ? elem : elem.substring(0, dot);
        if (WINDOWS_NAMES.contains(shortName.toUpperCase(Locale.ROOT))) {
            return "'" + shortName + "' disallowed as path element component on Windows";
        }
        if (kind == Kind.FILE) {
            return null;
        }
        // Windows short names: a tilde followed by digits only.
        int tilde = shortName.lastIndexOf('~');
        if (tilde >= 0 && tilde < shortName.length() - 1
                && shortName.substring(tilde + 1).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "trailing tilde and digits in path element";
        }
        return null;
    }

    /** {@code module.modPathOK}: ASCII letters, digits and {@code - . _ ~}. */
    private static boolean modulePathChar(char c) {
        return c == '-' || c == '.' || c == '_' || c == '~' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
                || c >= 'a' && c <= 'z';
    }

    /**
     * {@code module.fileNameOK}, restricted to ASCII: binaryrepo refuses non-ASCII versions (the go
     * command percent-encodes them, and only {@code %21} is decoded).
     */
    private static boolean fileNameChar(char c) {
        return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
                || "!#$%&()+,-.=@[]^_{}~ ".indexOf(c) >= 0;
    }

    /**
     * {@code module.SplitPathVersion}: the major version suffix of a path ({@code /v2}, or {@code .v1}
     * for gopkg.in), or "" when there is none.
     *
     * @return the suffix, or null when the path ends in a malformed one (such as {@code /v1}, {@code /v0}
     *     or {@code /v1.2})
     */
    static String splitPathVersion(String path) {
        if (path.startsWith("gopkg.in/")) {
            return gopkgInSuffix(path);
        }
        int i = path.length();
        boolean dot = false;
        while (i > 0 && (path.charAt(i - 1) >= '0' && path.charAt(i - 1) <= '9' || path.charAt(i - 1) == '.')) {
            if (path.charAt(i - 1) == '.') {
                dot = true;
            }
            i--;
        }
        if (i <= 1 || i == path.length() || path.charAt(i - 1) != 'v' || path.charAt(i - 2) != '/') {
            return "";
        }
        String pathMajor = path.substring(i - 2);
        if (dot || pathMajor.length() <= 2 || pathMajor.charAt(2) == '0' || pathMajor.equals("/v1")) {
            return null;
        }
        return pathMajor;
    }

    private static String gopkgInSuffix(String path) {
        int i = path.length();
        if (path.endsWith("-unstable")) {
            i -= "-unstable".length();
        }
        while (i > 0 && path.charAt(i - 1) >= '0' && path.charAt(i - 1) <= '9') {
            i--;
        }
        if (i <= 1 || path.charAt(i - 1) != 'v' || path.charAt(i - 2) != '.') {
            return null;
        }
        String pathMajor = path.substring(i - 2);
        if (pathMajor.length() <= 2 || pathMajor.charAt(2) == '0' && !pathMajor.equals(".v0")) {
            return null;
        }
        return pathMajor;
    }
}
