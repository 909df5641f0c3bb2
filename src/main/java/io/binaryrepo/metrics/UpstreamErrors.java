package io.binaryrepo.metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last {@link #CAPACITY} upstream errors of all repositories (5xx, 429, and exchanges without a
 * response), newest first, for the dashboard. Bounded: older errors are dropped. Thread-safe.
 */
public final class UpstreamErrors {
    /** How many errors are kept. */
    public static final int CAPACITY = 20;

    /**
     * @param time epoch millis
     * @param status the HTTP status, or {@code timeout}/{@code refused}/{@code reset}
     * @param path the upstream request path, without query string
     */
    public record Error(long time, String repository, String status, String method, String path) {
    }

    private final ArrayDeque<Error> errors = new ArrayDeque<>(CAPACITY);

    synchronized void add(Error e) {
        if (errors.size() == CAPACITY) {
            errors.removeLast();
        }
        errors.addFirst(e);
    }

    /** Newest first. */
    public synchronized List<Error> recent() {
        return new ArrayList<>(errors);
    }
}
