package io.binaryrepo.cache;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Runs one computation per key at a time; callers asking for the same key meanwhile wait for its
 * result instead of computing it again (for example one upstream request for a tag however many
 * clients ask for it at once). For small results only: blobs go through {@link Downloads}.
 * Thread-safe.
 */
public final class Coalescer<T> {
    private final ConcurrentHashMap<String, CompletableFuture<T>> running = new ConcurrentHashMap<>();

    /** A computation that may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface Work<T> {
        T run() throws IOException;
    }

    /**
     * Returns the result of {@code work} for {@code key}, run by this caller or by a caller already running it.
     *
     * @throws IOException the computation's failure (the same for every waiting caller)
     */
    public T get(String key, Work<T> work) throws IOException {
        CompletableFuture<T> mine = new CompletableFuture<>();
        CompletableFuture<T> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) {
                    throw io;
                }
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(c);
            }
        }
        try {
            T value = work.run();
            mine.complete(value);
            return value;
        } catch (Throwable e) {
            // every waiter must be released, whatever went wrong
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }
}
