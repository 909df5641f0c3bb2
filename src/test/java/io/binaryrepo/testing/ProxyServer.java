package io.binaryrepo.testing;

import io.binaryrepo.web.BinaryrepoListener;
import io.binaryrepo.web.ProxyServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * binaryrepo's servlet and listener in an embedded Jetty 12 on 127.0.0.1 and a free port, mapped as in
 * web.xml ({@code /repo/*}, {@code /v2/*}, {@code /metrics}, {@code /health/*}, the dashboard), configured through context parameters like a deployment.
 */
public final class ProxyServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    private ProxyServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts binaryrepo with {@code configYaml} (written next to the storage dir) and {@code clock}
     * (null: system clock).
     */
    public static ProxyServer start(Path storageDir, String configYaml, Clock clock) throws Exception {
        Path config = storageDir.resolveSibling(storageDir.getFileName() + "-repositories.yaml");
        Files.writeString(config, configYaml);
        return start(storageDir, config, clock, 0);
    }

    /**
     * As {@link #start(Path, String, Clock)}, with more context parameters (for example
     * {@code binaryrepo.publicUrl}).
     */
    public static ProxyServer start(Path storageDir, String configYaml, Clock clock, Map<String, String> contextParams)
            throws Exception {
        Path config = storageDir.resolveSibling(storageDir.getFileName() + "-repositories.yaml");
        Files.writeString(config, configYaml);
        return start(storageDir, config, clock, 0, contextParams);
    }

    /** Starts binaryrepo with an existing repositories file, on {@code port} (0: a free one). */
    public static ProxyServer start(Path storageDir, Path config, Clock clock, int port) throws Exception {
        return start(storageDir, config, clock, port, Map.of());
    }

    private static ProxyServer start(Path storageDir, Path config, Clock clock, int port,
            Map<String, String> contextParams) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.setInitParameter("binaryrepo.storage.dir", storageDir.toString());
        ctx.setInitParameter("binaryrepo.config", config.toString());
        contextParams.forEach(ctx::setInitParameter);
        if (clock != null) {
            ctx.setAttribute(BinaryrepoListener.CLOCK, clock);
        }
        ctx.addEventListener(new BinaryrepoListener());
        ServletHolder holder = new ServletHolder("proxy", ProxyServlet.class);
        holder.setInitOrder(1);
        ctx.addServlet(holder, "/repo/*");
        ctx.addServlet(holder, "/v2/*");
        ctx.addServlet(new ServletHolder("metrics", io.binaryrepo.metrics.MetricsServlet.class), "/metrics");
        ctx.addServlet(new ServletHolder("health", io.binaryrepo.health.HealthServlet.class), "/health/*");
        ServletHolder dashboard = new ServletHolder("dashboard", io.binaryrepo.dashboard.DashboardServlet.class);
        ctx.addServlet(dashboard, "");
        ctx.addServlet(dashboard, "/ui/*");
        ctx.addServlet(dashboard, "/api/v1/stats");
        server.setHandler(ctx);
        server.start();
        if (!ctx.isAvailable()) {
            server.stop();
            throw new IllegalStateException("binaryrepo context failed to start (see the log)");
        }
        return new ProxyServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
