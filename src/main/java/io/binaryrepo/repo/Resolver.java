package io.binaryrepo.repo;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * One repository's format logic: parses a request into a {@link Resource} that says what is asked for.
 * It never writes a response: the shared {@link ResourceHandler} does, for every format alike.
 * Thread-safe: one instance serves all requests concurrently.
 */
public interface Resolver {

    /**
     * Describes what {@code request} asks for. Called only for methods in {@link #methods()}.
     *
     * @throws ProxyError for a request that cannot be served (bad path, unknown name), written in
     *     {@link #errorStyle()}
     * @throws IOException when answering needs upstream and upstream fails (for example a Helm chart URL
     *     that needs the index); mapped to 502/504/429
     */
    Resource resolve(ClientRequest request) throws IOException;

    /** How this format writes errors (OCI JSON, plain text, ...). */
    ErrorStyle errorStyle();

    /** Methods this repository answers; anything else is 405 with {@code Allow}. Default: GET and HEAD. */
    default Set<String> methods() {
        return Set.of("GET", "HEAD");
    }

    /**
     * What this repository holds, for the admin API (issue 10): listing names, purge, prefetch. Default:
     * empty, and the shared wiring uses a {@link KeyInventory} of {@code <type>/<repository>/}.
     */
    default java.util.Optional<Inventory> inventory() {
        return java.util.Optional.empty();
    }

    /** Headers on every answer of this repository, errors included (Docker's API version header). */
    default Map<String, String> headers() {
        return Map.of();
    }
}
