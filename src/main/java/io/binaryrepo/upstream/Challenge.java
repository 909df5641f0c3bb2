package io.binaryrepo.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 7235 section 4.1): a scheme
 * and its parameters. Immutable.
 *
 * @param scheme the auth-scheme, lowercase (e.g. {@code bearer})
 * @param params the auth-params, names lowercase, values unquoted; a token68 is under {@code ""}
 */
public record Challenge(String scheme, Map<String, String> params) {

    public Challenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** A parameter by (case-insensitive) name, or null. */
    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Parses every challenge in a {@code WWW-Authenticate} header value: several challenges separated by
     * commas, quoted strings that contain commas and escaped quotes, token68 credentials.
     *
     * @throws IllegalArgumentException when the value does not follow the grammar
     */
    public static List<Challenge> parseAll(String header) {
        return new Parser(header).challenges();
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            if (s == null) {
                throw new IllegalArgumentException("no WWW-Authenticate value");
            }
            if (s.length() > 8192) {
                throw new IllegalArgumentException("WWW-Authenticate value longer than 8192 characters");
            }
            this.s = s;
        }

        List<Challenge> challenges() {
            List<Challenge> result = new ArrayList<>();
            while (true) {
                skipWhitespaceAndCommas();
                if (i >= s.length()) {
                    break;
                }
                String scheme = token();
                if (scheme.isEmpty()) {
                    throw new IllegalArgumentException("expected an auth-scheme at position " + i);
                }
                Map<String, String> params = new LinkedHashMap<>();
                int afterScheme = i;
                skipSpaces();
                if (i < s.length() && s.charAt(i) != ',' && i > afterScheme) {
                    if (!params(params)) {
                        params.put("", token68());
                    }
                } else if (i < s.length() && s.charAt(i) != ',') {
                    throw new IllegalArgumentException("expected a space after auth-scheme '" + scheme + "'");
                }
                result.add(new Challenge(scheme, params));
            }
            if (result.isEmpty()) {
                throw new IllegalArgumentException("no challenge in WWW-Authenticate value");
            }
            return result;
        }

        /**
         * Reads auth-params up to the start of the next challenge. Returns false (consuming nothing) when
         * what follows the scheme is not an auth-param list (then it is a token68).
         */
        private boolean params(Map<String, String> params) {
            int start = i;
            boolean any = false;
            while (true) {
                int mark = i;
                skipWhitespace();
                String name = token();
                skipWhitespace();
                if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
                    if (!any) {
                        i = start;
                        return false;
                    }
                    // the next challenge's scheme: leave it for the caller
                    i = mark;
                    return true;
                }
                i++; // '='
                skipWhitespace();
                String value;
                if (i < s.length() && s.charAt(i) == '"') {
                    value = quoted();
                } else {
                    value = token();
                    if (value.isEmpty()) {
                        if (!any) {
                            i = start;
                            return false; // "abc=" is a token68 with padding
                        }
                        throw new IllegalArgumentException("empty value for auth-param '" + name + "'");
                    }
                }
                params.put(name.toLowerCase(Locale.ROOT), value);
                any = true;
                skipWhitespace();
                if (i >= s.length()) {
                    return true;
                }
                if (s.charAt(i) != ',') {
                    throw new IllegalArgumentException("expected ',' after auth-param '" + name + "' at position " + i);
                }
                // Skip the separating commas; whether a param or a new challenge follows is decided above.
                while (i < s.length() && (s.charAt(i) == ',' || isWhitespace(s.charAt(i)))) {
                    i++;
                }
            }
        }

        private String token68() {
            int start = i;
            while (i < s.length() && (isToken68Char(s.charAt(i)))) {
                i++;
            }
            if (i == start) { // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
                throw new IllegalArgumentException("malformed credentials at position " + i);
            }
            while (i < s.length() && s.charAt(i) == '=') {
                i++;
            }
            String t = s.substring(start, i);
            skipWhitespace();
            if (i < s.length() && s.charAt(i) != ',') {
                throw new IllegalArgumentException("unexpected character '" + s.charAt(i) + "' at position " + i);
            }
            return t;
        }

        private String quoted() {
            StringBuilder out = new StringBuilder();
            i++; // opening quote
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return out.toString();
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        break;
                    }
                    c = s.charAt(i++);
                }
                out.append(c);
            }
            throw new IllegalArgumentException("unterminated quoted string in WWW-Authenticate value");
        }

        private String token() {
            int start = i;
            while (i < s.length() && isTokenChar(s.charAt(i))) {
                i++;
            }
            return s.substring(start, i);
        }

        private void skipSpaces() {
            skipWhitespace();
        }

        private void skipWhitespace() {
            while (i < s.length() && isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private void skipWhitespaceAndCommas() {
            while (i < s.length() && (isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
                i++;
            }
        }

        private static boolean isWhitespace(char c) {
            return c == ' ' || c == '\t';
        }

        private static boolean isTokenChar(char c) {
            return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
        }

        private static boolean isToken68Char(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~+/".indexOf(c) >= 0;
        }
    }
}
