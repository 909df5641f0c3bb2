package io.binaryrepo.gomod;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic versions as the go command reads them ({@code golang.org/x/mod/semver} and
 * {@code module.CanonicalVersion}): {@code vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]}. A version is
 * canonical when it is complete and carries no build metadata other than {@code +incompatible}; only
 * canonical versions name fixed module content. Stateless.
 */
final class Semver {
    private static final String NUM = "(?:0|[1-9][0-9]*)";
    /** A pre-release identifier: numeric without leading zeros, or alphanumeric with at least one non-digit. */
    private static final String PRE_ID = "(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)";
    private static final String BUILD_ID = "[0-9A-Za-z-]+";
    private static final Pattern VALID = Pattern.compile("v(" + NUM + ")(?:\\." + NUM + "(?:\\." + NUM
            + "(?:-" + PRE_ID + "(?:\\." + PRE_ID + ")*)?(\\+" + BUILD_ID + "(?:\\." + BUILD_ID + ")*)?)?)?");
    private static final Pattern CANONICAL = Pattern.compile("v(" + NUM + ")\\." + NUM + "\\." + NUM
            + "(?:-" + PRE_ID + "(?:\\." + PRE_ID + ")*)?(\\+incompatible)?");

    private Semver() {
    }

    /** {@code semver.IsValid}. */
    static boolean isValid(String v) {
        return VALID.matcher(v).matches();
    }

    /** Whether {@code v} equals {@code module.CanonicalVersion(v)} (and is valid). */
    static boolean isCanonical(String v) {
        return CANONICAL.matcher(v).matches();
    }

    /**
     * Whether a canonical version fits the module path's major version suffix ({@code module.Check}'s
     * {@code CheckPathMajor}): {@code v0}/{@code v1} (or {@code +incompatible}) without a suffix,
     * {@code vN} with {@code /vN}, gopkg.in's {@code .vN}.
     *
     * @param pathMajor the suffix from {@link ModulePath#splitPathVersion}
     */
    static boolean fitsPathMajor(String v, String pathMajor) {
        Matcher m = CANONICAL.matcher(v);
        if (!m.matches()) {
            return false;
        }
        String major = "v" + m.group(1);
        boolean incompatible = m.group(2) != null;
        String suffix = pathMajor;
        if (suffix.startsWith(".v") && suffix.endsWith("-unstable")) {
            suffix = suffix.substring(0, suffix.length() - "-unstable".length());
        }
        if (v.startsWith("v0.0.0-") && suffix.equals(".v1")) {
            return true; // an old go command bug that module.CheckPathMajor still accepts
        }
        if (suffix.isEmpty()) {
            return major.equals("v0") || major.equals("v1") || incompatible;
        }
        return major.equals(suffix.substring(1));
    }
}
