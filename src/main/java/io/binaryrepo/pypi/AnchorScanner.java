package io.binaryrepo.pypi;

import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A streaming scanner of the anchors ({@code <a ...>...</a>}) of a PEP 503 HTML page: everything else is copied
 * through unchanged, each anchor is handed to a {@link Handler} that says what replaces it. Memory is bounded
 * by one anchor ({@link #MAX_TAG} characters of tag and as many of text), whatever the page's size: a page is
 * never held as a tree. Not a general HTML parser: simple repository pages are a list of anchors (PEP 503).
 * Stateless; each call reads its own stream.
 */
final class AnchorScanner {
    /** Longest anchor start tag, and longest anchor text, accepted. */
    static final int MAX_TAG = 64 * 1024;

    private AnchorScanner() {
    }

    /** One attribute of an anchor. {@code value} is entity-decoded, null for an attribute without a value. */
    record Attribute(String name, String value, String raw) {
    }

    /** An anchor as found: its attributes in order and its text (raw, entities not decoded). */
    record Anchor(List<Attribute> attributes, String text) {
        /** The decoded value of the first attribute called {@code name} (case-insensitive), or null. */
        String value(String name) {
            return find(name) == null ? null : find(name).value();
        }

        /** Whether the anchor has an attribute called {@code name}. */
        boolean has(String name) {
            return find(name) != null;
        }

        private Attribute find(String name) {
            for (Attribute a : attributes) {
                if (a.name().equalsIgnoreCase(name)) {
                    return a;
                }
            }
            return null;
        }

        /** The anchor written back with {@code href} replaced (other attributes as they were). */
        String withHref(String href) {
            StringBuilder b = new StringBuilder("<a");
            for (Attribute a : attributes) {
                b.append(' ');
                b.append(a.name().equalsIgnoreCase("href") ? "href=\"" + Html.escape(href) + "\"" : a.raw());
            }
            return b.append('>').append(text).append("</a>").toString();
        }
    }

    /** Decides what replaces an anchor. */
    @FunctionalInterface
    interface Handler {
        /** @return the text written instead of the anchor (empty string: drop it) */
        String anchor(Anchor a) throws IOException;
    }

    /** The page is not usable HTML (an anchor beyond the limits). */
    static final class InvalidPageException extends IOException {
        private static final long serialVersionUID = 1L;

        InvalidPageException(String message) {
            super(message);
        }
    }

    /**
     * Copies {@code in} to {@code out} (null: scan only), anchors replaced as {@code handler} says. Closes
     * neither stream.
     */
    static void scan(Reader in, Writer out, Handler handler) throws IOException {
        PushbackReader r = new PushbackReader(in, 8);
        Writer w = out == null ? Writer.nullWriter() : out;
        int c;
        while ((c = r.read()) >= 0) {
            if (c != '<') {
                w.write(c);
                continue;
            }
            int n = r.read();
            if ((n == 'a' || n == 'A')) {
                int after = r.read();
                if (after == ' ' || after == '\t' || after == '\n' || after == '\r' || after == '\f' || after == '>') {
                    if (after == '>') {
                        r.unread(after);
                    }
                    w.write(handler.anchor(anchor(r)));
                    continue;
                }
                w.write('<');
                w.write(n);
                if (after >= 0) {
                    r.unread(after);
                }
                continue;
            }
            w.write('<');
            if (n >= 0) {
                r.unread(n);
            }
        }
    }

    private static Anchor anchor(PushbackReader r) throws IOException {
        List<Attribute> attrs = new ArrayList<>();
        int count = 0;
        while (true) {
            int c = skipSpace(r);
            if (c < 0 || c == '>') {
                break;
            }
            if (c == '/') {
                continue;
            }
            StringBuilder name = new StringBuilder();
            while (c >= 0 && !Character.isWhitespace(c) && c != '=' && c != '>' && c != '/') {
                name.append((char) c);
                c = r.read();
            }
            if (c >= 0 && c != '=') {
                c = skipSpaceFrom(r, c);
            }
            if (c != '=') {
                attrs.add(new Attribute(name.toString(), null, name.toString()));
                if (c >= 0) {
                    r.unread(c);
                }
            } else {
                String raw = value(r);
                attrs.add(new Attribute(name.toString(), Html.unescape(unquote(raw)), name + "=" + raw));
                count += raw.length();
            }
            count += name.length() + 1;
            if (count > MAX_TAG) {
                throw new InvalidPageException("an anchor tag is longer than " + MAX_TAG + " characters");
            }
        }
        return new Anchor(attrs, text(r));
    }

    /** The raw value after {@code =}: quoted (quotes kept) or unquoted. */
    private static String value(PushbackReader r) throws IOException {
        int c = skipSpace(r);
        StringBuilder v = new StringBuilder();
        if (c == '"' || c == '\'') {
            int q = c;
            v.append((char) c);
            while ((c = r.read()) >= 0 && c != q) {
                v.append((char) c);
                if (v.length() > MAX_TAG) {
                    throw new InvalidPageException("an attribute value is longer than " + MAX_TAG + " characters");
                }
            }
            return v.append((char) q).toString();
        }
        while (c >= 0 && !Character.isWhitespace(c) && c != '>') {
            v.append((char) c);
            c = r.read();
            if (v.length() > MAX_TAG) {
                throw new InvalidPageException("an attribute value is longer than " + MAX_TAG + " characters");
            }
        }
        if (c >= 0) {
            r.unread(c);
        }
        return v.toString();
    }

    private static String unquote(String raw) {
        if (raw.length() >= 2 && (raw.charAt(0) == '"' || raw.charAt(0) == '\'')) {
            return raw.substring(1, raw.length() - 1);
        }
        return raw;
    }

    /** The anchor's text up to {@code </a>} (consumed, not included). */
    private static String text(PushbackReader r) throws IOException {
        StringBuilder t = new StringBuilder();
        int c;
        while ((c = r.read()) >= 0) {
            if (c == '<') {
                char[] end = new char[3];
                int got = 0;
                int x;
                while (got < 3 && (x = r.read()) >= 0) {
                    end[got++] = (char) x;
                }
                if (got == 3 && new String(end).toLowerCase(Locale.ROOT).equals("/a>")) {
                    return t.toString();
                }
                r.unread(end, 0, got);
            }
            t.append((char) c);
            if (t.length() > MAX_TAG) {
                throw new InvalidPageException("an anchor's text is longer than " + MAX_TAG + " characters");
            }
        }
        return t.toString();
    }

    private static int skipSpace(PushbackReader r) throws IOException {
        return skipSpaceFrom(r, r.read());
    }

    private static int skipSpaceFrom(PushbackReader r, int c) throws IOException {
        while (c >= 0 && Character.isWhitespace(c)) {
            c = r.read();
        }
        return c;
    }
}
