package io.binaryrepo.cache;

import java.io.IOException;
import java.util.List;

/** Iterates over a listing page by page (one page in memory). */
final class PagedListing {
    private final Storage storage;
    private final String prefix;
    private List<Storage.Item> page = List.of();
    private int index;
    private String cursor;
    private boolean last;

    PagedListing(Storage storage, String prefix) {
        this.storage = storage;
        this.prefix = prefix;
    }

    Storage.Item peek() throws IOException {
        while (index >= page.size()) {
            if (last) {
                return null;
            }
            Storage.Page p = storage.list(prefix, cursor, FileListing.MAX_PAGE);
            page = p.items();
            index = 0;
            cursor = p.next().orElse(null);
            last = cursor == null;
        }
        return page.get(index);
    }

    Storage.Item next() throws IOException {
        Storage.Item i = peek();
        if (i != null) {
            index++;
        }
        return i;
    }
}
