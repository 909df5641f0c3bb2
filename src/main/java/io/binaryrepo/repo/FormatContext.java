package io.binaryrepo.repo;

import io.binaryrepo.cache.Artifacts;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import java.time.Clock;
import java.util.Optional;

/**
 * The shared services every format uses, one set per webapp (no global state: the listener creates
 * them and passes them in).
 *
 * @param storage the cache
 * @param downloads the in-flight downloads (coalescing of concurrent misses)
 * @param artifacts serving of immutable content (cache hit, shared verified download, passthrough)
 * @param documents mutable documents (TTL, conditional revalidation, stale if error, negative caching)
 * @param clock the time source for TTLs and token expiry (injected so tests need not sleep)
 * @param publicUrl the configured public base URL ({@code binaryrepo.publicUrl}), without a trailing
 *     slash, for URLs written into rewritten documents; empty: derive it from the request
 */
public record FormatContext(Storage storage, Downloads downloads, Artifacts artifacts, MutableDocuments documents,
        Clock clock, Optional<String> publicUrl) {
}
