package io.binaryrepo.helm;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Turns an upstream {@code index.yaml} into the {@link StoredIndex} form, streaming: SnakeYAML's event
 * parser (the layer under Jackson's YAML module, whose token layer would add scalar type resolution
 * this rewrite does not need, about three times the parsing cost) reads the document only to find where each chart URL
 * ({@code entries.<name>[].urls[]}) starts and ends; everything else is copied through character for
 * character (comments, key order, quoting, numbers such as {@code appVersion: 1.10} stay exactly as
 * upstream wrote them: nothing is re-serialized). Memory is bounded by one index entry, not by the
 * document: text is held back only from the first URL of an entry until the entry ends (its
 * {@code digest} may come after its {@code urls}). JSON indexes work too (JSON is YAML).
 *
 * <p>Stateless apart from the upstream URL; {@link #rewrite} may run concurrently on several threads.
 */
final class IndexRewriter {
    private static final LoaderOptions OPTIONS = new LoaderOptions();

    static {
        // SnakeYAML refuses documents over 3 MiB by default; indexes of tens of MB are normal. The caller
        // caps the size of what it accepts.
        OPTIONS.setCodePointLimit(Integer.MAX_VALUE);
    }

    /** What a rewrite found. */
    record Stats(int entries, int proxied, int relative, int foreign, int maxHeldChars) {
    }

    private final URI upstreamBase;
    /** What Helm resolves relative chart URLs against: the repository URL with one trailing slash. */
    private final URI baseDir;

    /** @param upstreamBase the repository's upstream URL (absolute http(s), without trailing slash) */
    IndexRewriter(URI upstreamBase) {
        this.upstreamBase = upstreamBase;
        this.baseDir = URI.create(upstreamBase + "/");
    }

    /**
     * Reads an index (UTF-8) from {@code in} and writes its stored form (UTF-8) to {@code out}. Closes
     * neither stream.
     *
     * @throws InvalidIndexException when the document is not UTF-8 YAML
     * @throws IOException when reading {@code in} or writing {@code out} fails
     */
    Stats rewrite(InputStream in, OutputStream out) throws IOException {
        Reader decoded = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        Splice splice = new Splice(decoded, writer);
        Pass pass = new Pass(splice);
        try {
            Parser parser = new ParserImpl(new StreamReader(splice), OPTIONS);
            Event e;
            while ((e = parser.getEvent()) != null) {
                pass.event(e);
                if (e.is(Event.ID.StreamEnd)) {
                    break;
                }
            }
        } catch (YAMLException e) {
            if (splice.readFailure != null) {
                // SnakeYAML wraps what the reader threw; the reader's own failure is the real one.
                throw splice.readFailure instanceof CharacterCodingException
                        ? new InvalidIndexException("index.yaml is not valid UTF-8", splice.readFailure)
                        : splice.readFailure;
            }
            String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            throw new InvalidIndexException("index.yaml is not valid YAML: "
                    + (why.length() > 300 ? why.substring(0, 300) + "..." : why), e);
        }
        if (splice.readFailure != null) {
            throw splice.readFailure;
        }
        splice.copyRest();
        writer.flush();
        return new Stats(pass.entries, pass.proxied, pass.relative, pass.foreign, splice.maxHeld);
    }

    /**
     * One pass over the events of the document: tracks where in the tree each event is, collects the
     * URL scalars of an entry and resolves them when the entry ends.
     */
    private final class Pass {
        private final Splice splice;
        /** Open collections, innermost first. */
        private final Deque<Frame> open = new ArrayDeque<>();
        private final List<Occurrence> held = new ArrayList<>();
        private Frame entry;
        private String digest;
        int entries;
        int proxied;
        int relative;
        int foreign;

        Pass(Splice splice) {
            this.splice = splice;
        }

        void event(Event e) throws IOException {
            long start = e.getStartMark() == null ? -1 : e.getStartMark().getIndex();
            if (held.isEmpty() && start >= 0) {
                splice.copyTo(start);
            }
            switch (e.getEventId()) {
                case DocumentStart -> open.clear();
                case MappingStart, SequenceStart -> {
                    Frame top = open.peek();
                    String key;
                    if (top != null && top.mapping && top.expectKey) {
                        // a collection used as a mapping key: no chart URL can sit under it
                        top.key = null;
                        top.expectKey = false;
                        key = null;
                    } else {
                        key = valueKey();
                    }
                    Frame f = new Frame(e instanceof MappingStartEvent, key);
                    open.push(f);
                    if (entry == null && f.mapping && isEntryPath()) {
                        entry = f;
                        digest = null;
                        entries++;
                    }
                }
                case MappingEnd, SequenceEnd -> {
                    Frame f = open.pop();
                    if (f == entry) {
                        endEntry(start);
                        entry = null;
                    }
                }
                case Scalar, Alias -> node((NodeEvent) e, start);
                default -> {
                    // stream and document boundaries, comments: copied through
                }
            }
        }

        /** A scalar or alias: a mapping key, or a value somewhere in the tree. */
        private void node(NodeEvent e, long start) {
            Frame top = open.peek();
            if (top != null && top.mapping && top.expectKey) {
                top.key = e instanceof ScalarEvent s ? s.getValue() : null;
                top.expectKey = false;
                return;
            }
            String key = valueKey();
            if (entry != null && e instanceof ScalarEvent s) {
                if (top == entry && "digest".equals(key)) {
                    digest = ChartRef.digestOf(s.getValue());
                } else if (top != null && !top.mapping && "urls".equals(top.key) && open.size() == 5
                        && second() == entry) {
                    held.add(new Occurrence(start, e.getEndMark().getIndex(), s.getValue(), e.getAnchor()));
                }
            }
            // an alias in a URL position is left alone: the client resolves it to its anchor's text
        }

        /**
         * The key under which the node now starting sits (null in a sequence); marks the enclosing
         * mapping as waiting for its next key.
         */
        private String valueKey() {
            Frame top = open.peek();
            if (top == null || !top.mapping) {
                return top == null ? null : top.key;
            }
            top.expectKey = true;
            return top.key;
        }

        private Frame second() {
            Iterator<Frame> it = open.iterator();
            it.next();
            return it.next();
        }

        /** The mapping just opened is {@code entries.<name>[i]} of the root mapping. */
        private boolean isEntryPath() {
            if (open.size() != 4) {
                return false;
            }
            Iterator<Frame> it = open.descendingIterator();
            Frame root = it.next();
            Frame charts = it.next();
            Frame list = it.next();
            return root.mapping && "entries".equals(root.key) && charts.mapping && !list.mapping;
        }

        private void endEntry(long entryEnd) throws IOException {
            String d = digest == null ? "" : digest;
            for (Occurrence o : held) {
                ChartUrl url = ChartUrl.classify(o.value, upstreamBase, baseDir);
                switch (url.kind()) {
                    case PROXIED -> {
                        ChartRef ref = new ChartRef(url.url(), digest);
                        splice.copyTo(o.start);
                        String span = splice.text(o.start, o.end);
                        splice.skipTo(o.end);
                        splice.write((o.anchor == null ? "" : "&" + o.anchor + " ") + "\"" + StoredIndex.PROXIED
                                + ref.token() + "/" + ChartUrl.fileName(url.url()) + StoredIndex.SEP + url.url()
                                + StoredIndex.SEP + d + StoredIndex.END + "\"" + trailingWhitespace(span));
                        proxied++;
                    }
                    case RELATIVE -> {
                        splice.copyTo(o.end);
                        splice.write(StoredIndex.RELATIVE + url.relativePath() + StoredIndex.SEP + url.url()
                                + StoredIndex.SEP + d + StoredIndex.END);
                        relative++;
                    }
                    default -> foreign++;
                }
            }
            held.clear();
            splice.copyTo(entryEnd);
        }
    }

    /** An open mapping or sequence; a mapping knows its current key and whether a key comes next. */
    private static final class Frame {
        final boolean mapping;
        /** For a mapping: the key of the value being read; for a sequence: the key it sits under. */
        String key;
        boolean expectKey = true;

        Frame(boolean mapping, String keyAbove) {
            this.mapping = mapping;
            this.key = mapping ? null : keyAbove;
        }
    }

    /** A block scalar's span ends after its line breaks; they must stay, or the next key joins the line. */
    private static String trailingWhitespace(String span) {
        int i = span.length();
        while (i > 0 && " \t\r\n".indexOf(span.charAt(i - 1)) >= 0) {
            i--;
        }
        return span.substring(i);
    }

    /** A URL scalar: its span in code points, its value and its anchor (null if none). */
    private record Occurrence(long start, long end, String value, String anchor) {
    }

    /**
     * The reader the parser reads through: keeps the text read but not yet copied, addressed by
     * code-point offsets as SnakeYAML's marks count them, so spans can be copied, skipped or replaced.
     * Not thread-safe.
     */
    private static final class Splice extends Reader {
        /**
         * Most text held between two copies: a single scalar (a description, a readme pasted into the index)
         * larger than this is refused, so a chunked body without a length cannot fill the heap (issue 17).
         */
        static final int MAX_HELD = 8 * 1024 * 1024;

        private final Reader in;
        private final Writer out;
        /** Text read; pending[head..] is not yet copied or skipped. */
        private final StringBuilder pending = new StringBuilder();
        private int head;
        /** Code-point offset of pending[head]. */
        private long headOffset;
        private char[] copyBuffer = new char[8192];
        private boolean eof;
        IOException readFailure;
        int maxHeld;

        Splice(Reader in, Writer out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(buf, off, len);
            } catch (IOException e) {
                readFailure = e;
                throw e;
            }
            if (n > 0) {
                if (head > 16 * 1024) {
                    // compact now and then rather than shifting the buffer on every copy
                    pending.delete(0, head);
                    head = 0;
                }
                pending.append(buf, off, n);
                maxHeld = Math.max(maxHeld, pending.length() - head);
                if (pending.length() - head > MAX_HELD) {
                    readFailure = new InvalidIndexException("index.yaml has a value of more than " + MAX_HELD
                            + " characters; refused", null);
                    throw readFailure;
                }
            } else if (n < 0) {
                eof = true;
            }
            return n;
        }

        /** Copies the text before code-point offset {@code cp} to the output. */
        void copyTo(long cp) throws IOException {
            int end = charIndex(cp);
            int n = end - head;
            if (n > copyBuffer.length) {
                copyBuffer = new char[Math.max(n, copyBuffer.length * 2)];
            }
            pending.getChars(head, end, copyBuffer, 0);
            out.write(copyBuffer, 0, n);
            head = end;
            headOffset = cp;
        }

        /** Drops the text before {@code cp} without copying it. */
        void skipTo(long cp) throws IOException {
            head = charIndex(cp);
            headOffset = cp;
        }

        /** The text between two code-point offsets, both in the pending text. */
        String text(long from, long to) throws IOException {
            return pending.substring(charIndex(from), charIndex(to));
        }

        void write(String s) throws IOException {
            out.write(s);
        }

        /** Copies the rest of the input (after the parser's last event) to the output. */
        void copyRest() throws IOException {
            char[] buf = new char[8192];
            do {
                out.append(pending, head, pending.length());
                pending.setLength(0);
                head = 0;
            } while (!eof && read(buf, 0, buf.length) >= 0);
            out.append(pending);
            pending.setLength(0);
        }

        /** Index in {@code pending} of code-point offset {@code cp} (at or after the head). */
        private int charIndex(long cp) throws IOException {
            long want = cp - headOffset;
            if (want < 0) {
                throw new InvalidIndexException("index.yaml: positions out of order (" + cp + " < " + headOffset + ")",
                        null);
            }
            int i = head;
            for (long n = 0; n < want; n++) {
                if (i >= pending.length()) {
                    throw new InvalidIndexException("index.yaml: position " + cp + " beyond the text read", null);
                }
                i += Character.isHighSurrogate(pending.charAt(i)) && i + 1 < pending.length()
                        && Character.isLowSurrogate(pending.charAt(i + 1)) ? 2 : 1;
            }
            return i;
        }

        @Override
        public void close() {
            // the caller owns the upstream stream
        }
    }

    /** The upstream document is not a usable index (not UTF-8, not YAML). */
    static final class InvalidIndexException extends IOException {
        private static final long serialVersionUID = 1L;

        InvalidIndexException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
