package io.binaryrepo.upstream;

import java.net.UnknownHostException;

/**
 * Thrown by {@link DestinationPolicy} while HttpClient resolves a host, when every address of the
 * host is internal and the host is neither the upstream's own nor allowed. An
 * {@link UnknownHostException} so that HttpClient neither retries nor wraps it; {@link UpstreamClient}
 * turns it into an {@link UpstreamException} of kind {@link UpstreamException.Kind#REFUSED}.
 */
final class RefusedAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedAddressException(String message) {
        super(message);
    }
}
