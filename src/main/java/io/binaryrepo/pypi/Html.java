package io.binaryrepo.pypi;

/** HTML escaping of attribute values and text, and decoding of the character references pages use. Stateless. */
final class Html {
    private Html() {
    }

    /** Escapes {@code & < > " '} for an attribute value or text. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Decodes the named references {@code amp lt gt quot apos} and numeric ones; others stay as they are. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi < 0 || semi - i > 10) {
                b.append(c);
                i++;
                continue;
            }
            String ref = s.substring(i + 1, semi);
            String decoded = decode(ref);
            if (decoded == null) {
                b.append(c);
                i++;
            } else {
                b.append(decoded);
                i = semi + 1;
            }
        }
        return b.toString();
    }

    private static String decode(String ref) {
        switch (ref) {
            case "amp": return "&";
            case "lt": return "<";
            case "gt": return ">";
            case "quot": return "\"";
            case "apos": return "'";
            default: break;
        }
        try {
            int cp;
            if (ref.startsWith("#x") || ref.startsWith("#X")) {
                cp = Integer.parseInt(ref.substring(2), 16);
            } else if (ref.startsWith("#")) {
                cp = Integer.parseInt(ref.substring(1));
            } else {
                return null;
            }
            return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
