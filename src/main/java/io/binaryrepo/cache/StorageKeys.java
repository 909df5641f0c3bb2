package io.binaryrepo.cache;

import java.util.regex.Pattern;

/**
 * The storage key grammar shared by every backend: relative, slash-separated, each segment matching
 * {@code [A-Za-z0-9_][A-Za-z0-9._-]{0,254}}, at most {@link #MAX_LENGTH} characters. So a key has no
 * empty segment, no leading slash, no {@code .} or {@code ..}, no backslash or control character, and
 * nothing starting with a dot (the file backend keeps its own files there). Stateless.
 */
public final class StorageKeys {
    /** Longest key accepted. */
    public static final int MAX_LENGTH = 1024;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

    private StorageKeys() {
    }

    /** Returns {@code key} if valid; otherwise throws an {@link IllegalArgumentException} saying why. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid storage key (empty or longer than " + MAX_LENGTH + ")");
        }
        for (String segment : key.split("/", -1)) {
            if (!validSegment(segment)) {
                throw new IllegalArgumentException("invalid storage key segment '" + segment + "'");
            }
        }
        return key;
    }

    /** Whether {@code name} may be one segment of a key. */
    static boolean validSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    /**
     * The directory part of a listing prefix (up to and excluding its last '/'; "" for none), checked as a
     * key so that a prefix cannot name anything outside the storage either.
     */
    static String prefixDirectory(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("invalid listing prefix (null)");
        }
        int slash = prefix.lastIndexOf('/');
        if (slash < 0) {
            return "";
        }
        return check(prefix.substring(0, slash));
    }
}
