package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Lists and sizes the entries of a {@link FileStorage}, ListObjectsV2-style. Walks directories depth
 * first, each directory's children in key order (a directory sorts as its name plus '/', which is
 * exactly where its keys fall among its siblings' keys), so keys come out in ascending String order and
 * a page stops after {@code limit} entries; subtrees entirely at or before the cursor are skipped. Memory
 * per call: one directory's names at a time per level. Names that are not valid key segments (the spool
 * directory, the shutdown marker, foreign files) are never listed. Stateless apart from the root.
 */
final class FileListing {
    static final int MAX_PAGE = 1000;

    private final Path root;

    FileListing(Path root) {
        this.root = root;
    }

    Storage.Page list(String prefix, String startAfter, int limit) throws IOException {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("listing limit must be 1 to " + MAX_PAGE + ", not " + limit);
        }
        String dirKey = StorageKeys.prefixDirectory(prefix);
        Path dir = dirKey.isEmpty() ? root : root.resolve(dirKey);
        List<Storage.Item> items = new ArrayList<>();
        boolean more = walk(dir, dirKey.isEmpty() ? "" : dirKey + "/", prefix, startAfter, limit, items);
        Optional<String> next = more ? Optional.of(items.get(items.size() - 1).key()) : Optional.empty();
        return new Storage.Page(items, next);
    }

    /** Adds matching entries under {@code dir} (keys {@code base + name...}); true when the page is full and more remain. */
    private boolean walk(Path dir, String base, String prefix, String startAfter, int limit, List<Storage.Item> items)
            throws IOException {
        for (var child : children(dir).entrySet()) {
            String sortKey = base + child.getKey();
            BasicFileAttributes attrs = child.getValue();
            if (attrs.isDirectory()) {
                if (!overlaps(sortKey, prefix) || wholeSubtreeNotAfter(sortKey, startAfter)) {
                    continue;
                }
                if (walk(dir.resolve(sortKey.substring(base.length(), sortKey.length() - 1)), sortKey, prefix,
                        startAfter, limit, items)) {
                    return true;
                }
            } else if (attrs.isRegularFile() && sortKey.startsWith(prefix)
                    && (startAfter == null || sortKey.compareTo(startAfter) > 0)) {
                if (items.size() == limit) {
                    return true;
                }
                items.add(new Storage.Item(sortKey, attrs.size(), attrs.lastModifiedTime().toInstant()));
            }
        }
        return false;
    }

    /** The valid-named children of {@code dir} in key order: directories keyed by name + '/'. */
    private static TreeMap<String, BasicFileAttributes> children(Path dir) throws IOException {
        TreeMap<String, BasicFileAttributes> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!StorageKeys.validSegment(name)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.put(a.isDirectory() ? name + "/" : name, a);
                } catch (NoSuchFileException gone) {
                    // deleted while listing: not listed
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // nothing stored under this prefix
        }
        return out;
    }

    /** Whether a key under directory {@code dirPrefix} (ending in '/') may start with {@code prefix}. */
    private static boolean overlaps(String dirPrefix, String prefix) {
        return dirPrefix.startsWith(prefix) || prefix.startsWith(dirPrefix);
    }

    /** Whether every key starting with {@code dirPrefix} sorts at or before {@code startAfter}. */
    private static boolean wholeSubtreeNotAfter(String dirPrefix, String startAfter) {
        return startAfter != null && !startAfter.startsWith(dirPrefix) && startAfter.compareTo(dirPrefix) > 0;
    }

    /** Counts committed entries and their bytes under the root. */
    Storage.Usage usage() throws IOException {
        long[] totals = new long[2];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(root) || StorageKeys.validSegment(dir.getFileName().toString())
                        ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && StorageKeys.validSegment(file.getFileName().toString())) {
                    totals[0]++;
                    totals[1] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // deleted while walking: not counted
                return FileVisitResult.CONTINUE;
            }
        });
        return new Storage.Usage(totals[0], totals[1]);
    }
}
