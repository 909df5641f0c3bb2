package io.binaryrepo.repo;

import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.util.Optional;

/**
 * One purge of the admin API (issue 10): deletes entries and forgets documents, counting what went. Every
 * key goes through {@link Documents#invalidate}, which drops the in-memory copy (a remembered "not found"
 * too) and the stored entry with the upstream validators in its header, so the next request asks upstream
 * unconditionally (the public npm registry has replaced content without changing its ETag). A reader that
 * has a deleted entry open may finish (see {@link Storage#delete}). Used by one thread.
 */
public final class Removal {
    /** What a purge removed: entries and their bytes. */
    public record Tally(long removed, long bytes) {
    }

    private static final int PAGE = 1000;

    private final Storage storage;
    private final Documents documents;
    private long removed;
    private long bytes;

    public Removal(Storage storage, Documents documents) {
        this.storage = storage;
        this.documents = documents;
    }

    /** Deletes the entry under {@code key} (content, record or document) and forgets it in memory. */
    public void entry(String key) throws IOException {
        Optional<Storage.Entry> e = storage.get(key);
        documents.invalidate(key);
        if (e.isPresent()) {
            removed++;
            bytes += e.get().size();
        }
    }

    /** Deletes every entry whose key starts with {@code prefix} (a page of keys at a time). */
    public void under(String prefix) throws IOException {
        String after = null;
        while (true) {
            Storage.Page page = storage.list(prefix, after, PAGE);
            for (Storage.Item item : page.items()) {
                entry(item.key());
            }
            if (page.next().isEmpty()) {
                return;
            }
            after = page.next().get();
        }
    }

    public Tally tally() {
        return new Tally(removed, bytes);
    }
}
