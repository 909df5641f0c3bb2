package io.binaryrepo.repo;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a repository holds in the cache, as the admin API sees it (issue 10): where its entries live, what
 * each entry is called by clients, how a client-facing name is purged and how a reference is prefetched.
 * A format without its own ({@link Resolver#inventory()} empty) gets {@link KeyInventory}: raw keys under
 * {@code <type>/<repository>/}, purge by key or key directory, no prefetch. Implementations validate a
 * request completely before they touch anything (a malformed purge deletes nothing) and are thread-safe.
 */
public interface Inventory {

    /** The storage key prefix of this repository's own entries, ending with {@code /}. */
    String prefix();

    /**
     * The storage key prefix to list for a client-facing prefix ({@code ""}: everything of the repository).
     *
     * @throws ProxyError 400 when {@code clientPrefix} cannot name anything of this repository
     */
    String listingPrefix(String clientPrefix);

    /**
     * What a listed key (under {@link #prefix()}) is to clients: its client-facing path and the key whose
     * entry holds the bytes (a Docker link stands for the shared blob it names). Never throws for a key
     * under the prefix: unknown shapes are shown as the key below the prefix.
     */
    Listed describe(String key);

    /**
     * Checks and plans the purge of a client-facing {@code path}.
     *
     * @throws ProxyError 400 for a malformed path (nothing is deleted)
     */
    Purge purge(String path);

    /**
     * Checks and plans the prefetch of one reference (Docker {@code name:tag}, Helm {@code chart:version},
     * Go {@code module@version}).
     *
     * @param platforms {@code os/arch[/variant]} values to keep of a multi-platform index; empty: all
     * @throws ProxyError 400 for a malformed reference, or when the format has no prefetch
     */
    Prefetch prefetch(String reference, Set<String> platforms);

    /**
     * A listed entry as clients name it.
     *
     * @param path the client-facing name (e.g. {@code library/alpine:3.20})
     * @param contentKey the key whose size and last access count for it (often the listed key itself)
     */
    record Listed(String path, String contentKey) {
    }

    /** A checked purge; {@link #run()} deletes. */
    @FunctionalInterface
    interface Purge {
        /** Deletes the entries and forgets the documents (memory and validators); returns what went. */
        Removal.Tally run() throws IOException;
    }

    /** A checked prefetch; {@link #run} fetches through the repository's own handler. */
    @FunctionalInterface
    interface Prefetch {
        /** Fetches everything the reference needs through {@code fetcher}; runs on a job thread. */
        void run(Fetcher fetcher) throws IOException;
    }

    /**
     * Requests made through the repository's normal serving path (the shared {@link ResourceHandler}: cache
     * hit, coalesced verified download, commit), as a client's would be. Used by one job thread.
     */
    interface Fetcher {
        /** Adds {@code n} requests to the job's total (call before making them). */
        void planned(int n);

        /**
         * GETs {@code path} (inside the repository, as {@link ClientRequest#path()}) and counts it as done.
         * A failure is recorded as one of the job's errors and answered empty; the caller goes on with what
         * it can still do.
         *
         * @param keepBody return the body (documents: at most 4 MiB, larger is a failure); otherwise the
         *     body is read and counted, never held
         * @return the body when {@code keepBody} (else an empty array), empty when the request failed
         */
        Optional<byte[]> get(String path, Map<String, String> headers, boolean keepBody);

        /** Records an error of the job that is not a failed request (e.g. an unusable manifest). */
        void error(String message);
    }
}
