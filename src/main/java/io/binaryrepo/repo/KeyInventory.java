package io.binaryrepo.repo;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.StorageKeys;
import java.util.Set;

/**
 * The inventory of a format that defines none of its own (npm, Maven, PyPI today): the entries under
 * {@code <type>/<repository>/}, listed by their key below that prefix; a purge path is such a key (one
 * entry) or a leading part of keys ending at a segment boundary (everything below it: a package, a group).
 * No prefetch. Thread-safe.
 */
public final class KeyInventory implements Inventory {
    private final String prefix;
    private final Storage storage;
    private final Documents documents;

    /** @param prefix the repository's key prefix, ending with {@code /} */
    public KeyInventory(String prefix, Storage storage, Documents documents) {
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
        return prefix + checkedPrefix(clientPrefix);
    }

    @Override
    public Listed describe(String key) {
        return new Listed(key.substring(prefix.length()), key);
    }

    @Override
    public Purge purge(String path) {
        String key = prefix + checkedKey(path);
        return () -> {
            Removal r = new Removal(storage, documents);
            r.entry(key);
            r.under(key + "/");
            return r.tally();
        };
    }

    @Override
    public Prefetch prefetch(String reference, Set<String> platforms) {
        throw new ProxyError(400, "UNSUPPORTED", "prefetch is not available for this repository's format");
    }

    /** A key below a repository prefix, checked by the storage key grammar. */
    public static String checkedKey(String path) {
        try {
            return StorageKeys.check(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        } catch (IllegalArgumentException e) {
            throw new ProxyError(400, "INVALID", "path '" + abbreviate(path) + "' is not a stored key: " + e.getMessage());
        }
    }

    /** A listing prefix: "" or a plain prefix whose directory part is a valid key. */
    public static String checkedPrefix(String p) {
        if (p.isEmpty()) {
            return p;
        }
        int slash = p.lastIndexOf('/');
        String last = p.substring(slash + 1);
        if (slash >= 0) {
            checkedKey(p.substring(0, slash));
        }
        if (!last.isEmpty() && !last.matches("[A-Za-z0-9_][A-Za-z0-9._-]*")) {
            throw new ProxyError(400, "INVALID", "prefix '" + abbreviate(p) + "' cannot match a stored key");
        }
        return p;
    }

    static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
