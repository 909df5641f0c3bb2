package io.binaryrepo.gomod;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.KeySegments;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Removal;
import java.util.Map;
import java.util.Set;

/**
 * What one Go repository holds (issue 10's admin API), in {@link GoPath#key()}'s layout. Listed entries are
 * named by their GOPROXY request path ({@code github.com/!burnt!sushi/toml/@v/v1.4.0.zip}, case-escaped as
 * the go command sends it); checksum database entries by their key below the repository. Purge and
 * prefetch take {@code module} or {@code module@version} as written in go.mod (not escaped). Thread-safe.
 */
final class GoInventory implements Inventory {
    private final String prefix;
    private final Storage storage;
    private final Documents documents;

    /** @param prefix {@code go/REPO/} */
    GoInventory(String prefix, Storage storage, Documents documents) {
        this.prefix = prefix;
        this.storage = storage;
        this.documents = documents;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public String listingPrefix(String clientPrefix) {
        if (clientPrefix.isEmpty()) {
            return prefix;
        }
        try {
            String escaped = ModulePath.escape(clientPrefix);
            boolean dir = escaped.endsWith("/");
            String body = dir ? escaped.substring(0, escaped.length() - 1) : escaped;
            return prefix + "mod/" + KeySegments.encodePath(body) + (dir ? "/" : "");
        } catch (IllegalArgumentException e) {
            throw new ProxyError(400, "BAD_REQUEST", "prefix is not the start of a module path: " + e.getMessage());
        }
    }

    @Override
    public Listed describe(String key) {
        String rest = key.substring(prefix.length());
        int marker = marker(rest);
        if (!rest.startsWith("mod/") || marker < 0) {
            return new Listed(rest, key);
        }
        String module = decode(rest.substring("mod/".length(), marker));
        String tail = rest.substring(marker + 1);
        String file = tail.startsWith("_v/") || tail.startsWith("_q/") ? "@v/" + decode(tail.substring(3))
                : tail.equals("_latest") ? "@latest" : tail;
        return new Listed(module + "/" + file, key);
    }

    @Override
    public Purge purge(String path) {
        Ref ref = Ref.parse(path);
        String dir = prefix + ref.dir();
        return () -> {
            Removal r = new Removal(storage, documents);
            if (ref.version() == null) {
                r.under(dir + "/_v/");
                r.under(dir + "/_q/");
            } else {
                for (String ext : new String[] {".info", ".mod", ".zip"}) {
                    r.entry(prefix + ref.file(ext));
                }
                r.entry(dir + "/_v/list");
            }
            r.entry(dir + "/_latest");
            return r.tally();
        };
    }

    @Override
    public Prefetch prefetch(String reference, Set<String> platforms) {
        Ref ref = Ref.parse(reference);
        if (ref.version() == null) {
            throw new ProxyError(400, "BAD_REQUEST", "prefetch needs module@version, not '" + reference + "'");
        }
        return fetcher -> {
            fetcher.planned(3);
            for (String ext : new String[] {".info", ".mod", ".zip"}) {
                fetcher.get(ref.escaped() + "/@v/" + ModulePath.escape(ref.version()) + ext, Map.of(), false);
            }
        };
    }

    /** A module, or a module at a canonical version, checked by the GOPROXY grammar ({@link GoPath}). */
    private record Ref(String escaped, String version, String dir) {
        static Ref parse(String text) {
            if (text == null || text.isEmpty() || text.indexOf('!') >= 0 || text.indexOf('%') >= 0) {
                throw new ProxyError(400, "BAD_REQUEST", "not a module path or module@version: '"
                        + (text == null ? "" : text.length() > 100 ? text.substring(0, 100) + "..." : text) + "'");
            }
            int at = text.lastIndexOf('@');
            String module = at < 0 ? text : text.substring(0, at);
            String version = at < 0 ? null : text.substring(at + 1);
            String escaped = ModulePath.escape(module);
            GoPath list;
            try {
                list = GoPath.parse(escaped + "/@v/list");
                if (version != null) {
                    GoPath.parse(escaped + "/@v/" + ModulePath.escape(version) + ".zip"); // canonical versions only
                }
            } catch (ProxyError e) {
                throw new ProxyError(400, "BAD_REQUEST", "'" + text + "': " + e.getMessage());
            }
            String key = list.key();
            return new Ref(escaped, version, key.substring(0, key.length() - "/_v/list".length()));
        }

        String file(String ext) {
            return GoPath.parse(escaped + "/@v/" + ModulePath.escape(version) + ext).key();
        }
    }

    /** Where the layout's marker segment ({@code _v}, {@code _q}, {@code _latest}) starts, after a '/'; -1 if none. */
    private static int marker(String rest) {
        // Encoded elements start with '_' only as an escape, followed by a hex digit; markers by another letter.
        for (int i = rest.indexOf("/_"); i >= 0; i = rest.indexOf("/_", i + 1)) {
            if (i + 2 < rest.length() && !isHex(rest.charAt(i + 2))) {
                return i;
            }
        }
        return -1;
    }

    /** Undoes {@link KeySegments#encode} ({@code _xx} is the character with hex code xx). */
    private static String decode(String encoded) {
        StringBuilder b = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '_' && i + 2 < encoded.length() && isHex(encoded.charAt(i + 1)) && isHex(encoded.charAt(i + 2))) {
                b.append((char) Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }
}
