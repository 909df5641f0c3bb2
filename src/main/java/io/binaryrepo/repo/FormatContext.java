package io.binaryrepo.repo;

import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.Storage;
import java.time.Clock;

/**
 * The shared services every format uses: one storage, one set of in-flight downloads and one clock for
 * the whole webapp (no global state: the listener creates them and passes them in).
 *
 * @param storage the cache
 * @param downloads the in-flight downloads (coalescing of concurrent misses)
 * @param clock the time source for TTLs and token expiry (injected so tests need not sleep)
 */
public record FormatContext(Storage storage, Downloads downloads, Clock clock) {
}
