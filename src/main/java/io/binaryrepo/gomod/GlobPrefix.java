package io.binaryrepo.gomod;

import java.util.List;

/**
 * The go command's {@code GONOSUMDB}/{@code GOPRIVATE} pattern rule ({@code module.MatchPrefixPatterns}): a
 * pattern of n slash-separated elements matches a module path whose first n elements match it, each element
 * as {@code path.Match} glob with {@code *} (any run of characters) and {@code ?} (one character); other
 * characters stand for themselves (bracket classes are not supported). Stateless.
 */
final class GlobPrefix {
    private GlobPrefix() {
    }

    static boolean matchesAny(List<String> patterns, String module) {
        for (String p : patterns) {
            if (matches(p.trim(), module)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String pattern, String module) {
        String trimmed = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
        if (trimmed.isEmpty()) {
            return false;
        }
        String[] want = trimmed.split("/", -1);
        String[] have = module.split("/", -1);
        if (have.length < want.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (!glob(want[i], 0, have[i], 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || (c != '?' && c != s.charAt(si))) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }
}
