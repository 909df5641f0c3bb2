package io.binaryrepo.repo;

/**
 * Turns validated names from clients (Go's escaped module paths and versions, npm names with scopes and
 * legacy upper case, ...) into storage key segments, for every format. {@link io.binaryrepo.cache.Storage}
 * keys allow only {@code [A-Za-z0-9_][A-Za-z0-9._-]*} per segment; names also use {@code ~}, {@code !},
 * {@code +}, {@code @}, {@code * ' ( )} and may start with {@code -} or {@code _}. Lowercase
 * letters and digits are kept, and so are {@code .} and {@code -} except in first position; every other
 * character becomes {@code _} and two lowercase hex digits. The mapping is injective ({@code _} always
 * starts an escape) and never yields {@code .} or {@code ..}; segments are all lowercase, so no two keys
 * differ only in case. Segments starting with {@code _} and a non-hex letter (such as {@code _v}) never
 * come out of it, which leaves them free as markers in the cache layout. Stateless.
 */
public final class KeySegments {
    /** FileStorage's limit for one segment. */
    public static final int MAX_SEGMENT = 255;

    private KeySegments() {
    }

    /**
     * Encodes one element (no {@code /}).
     *
     * @throws IllegalArgumentException for non-ASCII text or a result longer than {@link #MAX_SEGMENT}
     */
    public static String encode(String element) {
        StringBuilder b = new StringBuilder(element.length() + 8);
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c >= 0x80 || c == '/') {
                throw new IllegalArgumentException("cannot encode character " + (int) c + " in a storage key");
            }
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (c == '.' || c == '-') && i > 0) {
                b.append(c);
            } else {
                b.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        if (b.length() == 0 || b.length() > MAX_SEGMENT) {
            throw new IllegalArgumentException("storage key segment of " + b.length() + " characters");
        }
        return b.toString();
    }

    /** Encodes each {@code /}-separated element of {@code path} and joins them with {@code /}. */
    public static String encodePath(String path) {
        StringBuilder b = new StringBuilder(path.length() + 16);
        for (String e : path.split("/", -1)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(encode(e));
        }
        return b.toString();
    }
}
