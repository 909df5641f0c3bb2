package io.binaryrepo.upstream;

import io.binaryrepo.config.RepositoryConfig;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The two HTTP clients of one repository's upstream, one connection pool per {@link Traffic}, so that
 * stalled or long content downloads can never take the connections manifests, tags, indexes and tokens
 * need (issue 17). Both connect only where the repository's {@link DestinationPolicy} allows. Thread-safe;
 * {@link #close()} closes both pools.
 *
 * <p>Pool sizes per repository ({@link Sizes#DEFAULT}): content 64 connections per host and 128 in all
 * (downloads are shared per blob, so this is the number of distinct blobs in flight; more would not make
 * one upstream link faster); metadata 32 per host and 64 in all (short requests; the token service is a
 * second host, so its connections are never taken by the registry's). A request waits at most the
 * repository's connect timeout for a free connection, then fails as a timeout (504).
 */
final class ConnectionPools implements Closeable {

    /** Connections per pool: at most {@code perRoute} to one host (scheme, host, port), {@code total} in all. */
    record Sizes(int metadataPerRoute, int metadataTotal, int contentPerRoute, int contentTotal) {
        static final Sizes DEFAULT = new Sizes(32, 64, 64, 128);
    }

    private final CloseableHttpClient metadata;
    private final CloseableHttpClient content;

    /** @param tls the TLS context to trust, or null for the JVM's default trust store */
    ConnectionPools(RepositoryConfig config, DestinationPolicy policy, Sizes sizes, SSLContext tls) {
        this.metadata = client(config, policy, sizes.metadataPerRoute(), sizes.metadataTotal(), tls);
        this.content = client(config, policy, sizes.contentPerRoute(), sizes.contentTotal(), tls);
    }

    CloseableHttpClient client(Traffic traffic) {
        return traffic == Traffic.CONTENT ? content : metadata;
    }

    private static CloseableHttpClient client(RepositoryConfig config, DestinationPolicy policy, int perRoute,
            int total, SSLContext tls) {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(policy)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout(config.connectTimeout()))
                        .setSocketTimeout(timeout(config.readTimeout()))
                        // A pooled connection the upstream closed while idle would fail the next
                        // request (NoHttpResponseException); check connections idle for over a second.
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .build())
                .setMaxConnTotal(total)
                .setMaxConnPerRoute(perRoute);
        if (tls != null) {
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls));
        }
        return HttpClients.custom()
                .setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout(config.readTimeout()))
                        .setConnectionRequestTimeout(timeout(config.connectTimeout()))
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                // One retry of an idempotent request whose pooled connection turned out dead; never a
                // retry on a status (429/503 go back to the caller, which serves stale or passes them on).
                .setRetryStrategy(new DefaultHttpRequestRetryStrategy(1, TimeValue.ofMilliseconds(50)) {
                    @Override
                    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
                        return false;
                    }
                })
                .setUserAgent("binaryrepo")
                .build();
    }

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(Math.max(1, d.toMillis()));
    }

    @Override
    public void close() throws IOException {
        try {
            content.close();
        } finally {
            metadata.close();
        }
    }
}
