package io.binaryrepo.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The manifest media types a client accepts. Clients send several {@code Accept} headers or one with a
 * comma-separated list; both are read. A type with {@code q=0} is not acceptable (RFC 9110 12.4.2).
 * Immutable.
 *
 * @param types media types without parameters, lowercase, in the client's order
 * @param wildcard whether the client also accepts anything ({@code *}{@code /*}, or no Accept at all)
 */
record Accept(List<String> types, boolean wildcard) {
    private static final Pattern Q_ZERO = Pattern.compile(";\\s*q\\s*=\\s*0(\\.0{0,3})?\\s*(;|$)");

    /** Reads every {@code Accept} header value of a request. */
    static Accept of(List<String> headers) {
        List<String> types = new ArrayList<>();
        boolean wildcard = false;
        for (String h : headers) {
            for (String part : h.split(",")) {
                if (Q_ZERO.matcher(part).find()) {
                    continue;
                }
                int semi = part.indexOf(';');
                String t = (semi < 0 ? part : part.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
                if (t.equals("*/*")) {
                    wildcard = true;
                } else if (!t.isEmpty() && !types.contains(t) && types.size() < 32) {
                    types.add(t);
                }
            }
        }
        return new Accept(List.copyOf(types), wildcard || types.isEmpty());
    }

    boolean accepts(String mediaType) {
        return wildcard || (mediaType != null && types.contains(mediaType.toLowerCase(Locale.ROOT)));
    }

    /**
     * A short name of the accepted-type set, usable as a storage key segment: the same for the same set in
     * any order (a hash, so a client cannot choose the key).
     */
    String id() {
        List<String> sorted = new ArrayList<>(types);
        sorted.sort(null);
        String canonical = String.join(",", sorted) + (wildcard ? ",*/*" : "");
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "a" + java.util.HexFormat.of().formatHex(h, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Accept header to send upstream: the client's types, or every manifest type when it named none. */
    String header() {
        if (types.isEmpty()) {
            return Manifest.DEFAULT_ACCEPT;
        }
        return String.join(", ", types) + (wildcard ? ", */*" : "");
    }
}
