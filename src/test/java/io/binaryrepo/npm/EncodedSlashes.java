package io.binaryrepo.npm;

import java.lang.reflect.Field;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;

/**
 * Lets an embedded Jetty of the shared test toolkit (binaryrepo's {@code ProxyServer}, the
 * {@code FakeUpstream}) accept {@code %2F} in paths, as an npm registry must ({@code /@scope%2fname}): Jetty 12
 * answers 400 to such "ambiguous" URIs by default. Production Jetty is configured the same way
 * ({@code jetty.httpConfig.uriCompliance=DEFAULT,AMBIGUOUS_PATH_SEPARATOR}, docs/npm.md). The toolkit classes
 * have no option for it yet (the lead is asked to add one), so this reaches their {@code server} field.
 */
final class EncodedSlashes {
    private EncodedSlashes() {
    }

    /** Allows encoded slashes on every connector of {@code holder}'s Jetty {@code Server} field named {@code server}. */
    static <T> T allow(T holder) {
        try {
            Field f = holder.getClass().getDeclaredField("server");
            f.setAccessible(true);
            Server server = (Server) f.get(holder);
            for (Connector c : server.getConnectors()) {
                HttpConnectionFactory h = c.getConnectionFactory(HttpConnectionFactory.class);
                h.getHttpConfiguration().setUriCompliance(
                        UriCompliance.DEFAULT.with("npm", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
            }
            return holder;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot configure " + holder.getClass().getSimpleName(), e);
        }
    }
}
