package io.binaryrepo.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.ProxyError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * One page of {@code GET /api/v1/repositories/{name}/content} (issue 10): {@link Storage#list} under the
 * listing prefix the repository's {@link Inventory} gives for the client's {@code prefix}, at most
 * {@link #MAX_LIMIT} items ({@link #DEFAULT_LIMIT} unless asked). Each item: {@code path} (the client-facing
 * name from {@link Inventory#describe}), {@code bytes} (of the content it stands for: a Docker link shows
 * its blob), {@code lastAccess} ({@link Storage#lastAccess}, else the entry's last modification: until the
 * access record is kept the two are the same) and {@code fetched} (when the entry was last written: fetched
 * or revalidated; for a link, when its blob was). The cursor is the last key of the page, base64url-encoded; a cursor that does not
 * belong to the listing is refused. Stateless.
 */
final class ContentListing {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final Storage storage;

    ContentListing(Storage storage) {
        this.storage = storage;
    }

    ObjectNode page(Inventory inventory, String prefix, String limitText, String cursor) throws IOException {
        int limit = limit(limitText);
        String keyPrefix = inventory.listingPrefix(prefix == null ? "" : prefix);
        String after = cursor == null ? null : decode(cursor, keyPrefix);
        Storage.Page page = storage.list(keyPrefix, after, limit);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode items = out.putArray("items");
        for (Storage.Item item : page.items()) {
            Inventory.Listed listed = inventory.describe(item.key());
            long bytes = item.size();
            Instant fetched = item.lastModified();
            Instant access = storage.lastAccess(listed.contentKey()).orElse(null);
            if (!listed.contentKey().equals(item.key())) {
                Optional<Storage.Entry> content = storage.get(listed.contentKey());
                bytes = content.map(Storage.Entry::size).orElse(0L);
                fetched = content.map(Storage.Entry::lastModified).orElse(fetched);
            }
            ObjectNode n = items.addObject();
            n.put("path", listed.path());
            n.put("bytes", bytes);
            n.put("lastAccess", (access == null ? fetched : access).toString());
            n.put("fetched", fetched.toString());
        }
        if (page.next().isPresent()) {
            out.put("next", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(page.next().get().getBytes(StandardCharsets.UTF_8)));
        } else {
            out.putNull("next");
        }
        return out;
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ProxyError(400, "INVALID", "limit must be a number from 1 to " + MAX_LIMIT);
    }

    private static String decode(String cursor, String keyPrefix) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (key.startsWith(keyPrefix)) {
                return key;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new ProxyError(400, "INVALID", "cursor is not one this listing gave (use the previous page's next)");
    }
}
