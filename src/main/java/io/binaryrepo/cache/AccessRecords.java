package io.binaryrepo.cache;

import java.io.IOException;

/**
 * The access records, walked alongside the listing of entries (both in key order): finds an entry's
 * record and removes records whose entry is gone (removed behind the log's back), unless recent.
 */
record AccessRecords(PagedListing pages, Storage backend) {
    /**
     * Consumes the records up to {@code key} (all when null); returns the modification time of
     * {@code key}'s record, or Long.MIN_VALUE.
     */
    long upTo(String key, long graceStart) throws IOException {
        long time = Long.MIN_VALUE;
        for (Storage.Item r = pages.peek(); r != null; r = pages.peek()) {
            int c = key == null ? -1 : r.key().substring(AccessLog.PREFIX.length()).compareTo(key);
            if (c > 0) {
                break;
            }
            pages.next();
            if (c == 0) {
                time = r.lastModified().toEpochMilli();
            } else if (r.lastModified().toEpochMilli() < graceStart) {
                backend.delete(r.key());
            }
        }
        return time;
    }
}
