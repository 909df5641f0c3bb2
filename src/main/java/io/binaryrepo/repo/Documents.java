package io.binaryrepo.repo;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.upstream.UpstreamException;
import java.io.IOException;
import java.util.Optional;

/**
 * The shared document cache as formats see it: the current version of a {@link Resource.Document} (for a
 * format that needs one document to answer another, like a Helm chart that needs the index), a look at
 * what is cached without asking upstream, and recording a document learned on the way (a manifest fetched
 * by tag is also the manifest by digest). Thread-safe.
 */
public final class Documents {
    private final MutableDocuments documents;

    Documents(MutableDocuments documents) {
        this.documents = documents;
    }

    /**
     * The current document of {@code d}, fetched or revalidated as its policy says, stale if upstream fails.
     *
     * @throws ProxyError when upstream says it does not exist, or refuses ({@code d}'s failures), or fails
     *     with nothing cached (502/504/429)
     */
    public MutableDocuments.Document current(Resource.Document d) throws IOException {
        return served(d).document();
    }

    /** As {@link #current}, telling where the document came from (the shared handler's metrics). */
    MutableDocuments.Served served(Resource.Document d) throws IOException {
        MutableDocuments.Served served;
        try {
            served = documents.serve(d.key(), d.policy(), d.fetcher());
        } catch (UpstreamException e) {
            throw d.failures().map(e);
        }
        if (served.document().missing()) {
            throw d.failures().notFound(served.document().missingStatus());
        }
        return served;
    }

    /** What is cached under {@code key}, fresh or not, without asking upstream. */
    public Optional<MutableDocuments.Document> peek(String key) {
        return documents.peek(key);
    }

    /** Records a document upstream gave on the way (best effort: a full disk keeps it in memory only). */
    public void put(String key, MutableDocuments.Fetched fetched) {
        documents.put(key, fetched);
    }

    /** Forgets a document, so the next request asks upstream unconditionally. */
    public void invalidate(String key) throws IOException {
        documents.invalidate(key);
    }
}
