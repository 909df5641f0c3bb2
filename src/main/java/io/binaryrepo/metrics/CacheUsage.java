package io.binaryrepo.metrics;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * How much the cache holds, measured by walking the cache root (constant memory; the spool directory of
 * downloads in progress is skipped). The "max size" is what the cache could grow to: its size plus the file
 * system's usable space, or the configured cap ({@code binaryrepo.storage.maxSize}) when that is smaller.
 * {@link #refresh} runs on the metrics thread, never on a request; readers see the last result.
 * Thread-safe.
 */
final class CacheUsage {
    private final Path root;
    private volatile long bytes;
    private volatile long entries;
    private volatile long max;
    private volatile long cap;

    CacheUsage(Path root) {
        this.root = root;
    }

    /** Walks the cache once; failures leave the previous numbers. */
    void refresh() {
        long[] total = new long[2];
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.getFileName() != null && dir.getFileName().toString().equals(".spool") && !dir.equals(root)
                            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                        total[1]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed while walking
                }
            });
            long usable = Files.getFileStore(root).getUsableSpace();
            bytes = total[0];
            entries = total[1];
            max = cap > 0 ? Math.min(cap, total[0] + usable) : total[0] + usable;
        } catch (IOException e) {
            // keep the last numbers; the health check reports an unusable cache
        }
    }

    long bytes() {
        return bytes;
    }

    long entries() {
        return entries;
    }

    /** The configured cap in bytes (0: none). */
    void cap(long bytes) {
        cap = bytes;
    }

    long max() {
        return max;
    }
}
