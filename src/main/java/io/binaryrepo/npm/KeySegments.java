package io.binaryrepo.npm;

/**
 * Turns validated npm names and file names into storage key segments. {@link io.binaryrepo.cache.Storage}
 * keys allow only {@code [A-Za-z0-9_][A-Za-z0-9._-]*} per segment, while npm names also use {@code @}
 * (scopes), {@code ~ ! * ' ( )} and upper case letters (legacy names). Lowercase letters and digits are
 * kept, and so are {@code .} and {@code -} except in first position; every other character becomes
 * {@code _} and two lowercase hex digits. The mapping is injective ({@code _} always starts an escape),
 * yields only lowercase (no two keys differ only in case, so case-insensitive file systems are safe) and
 * never {@code .} or {@code ..}. Stateless.
 */
final class KeySegments {
    /** FileStorage's limit for one segment. */
    static final int MAX_SEGMENT = 255;

    private KeySegments() {
    }

    /**
     * Encodes one element (no {@code /}).
     *
     * @throws IllegalArgumentException for non-ASCII text, {@code /}, or a result longer than {@link #MAX_SEGMENT}
     */
    static String encode(String element) {
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

    /** The key path of a package: {@code _40scope/name} for {@code @scope/name}, else the encoded name. */
    static String of(PackageName name) {
        return name.scoped() ? encode("@" + name.scope()) + "/" + encode(name.bare()) : encode(name.bare());
    }
}
