package io.binaryrepo.testing;

import io.binaryrepo.web.BinaryrepoListener;
import io.binaryrepo.web.ProxyServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.security.Constraint;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserIdentity;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * binaryrepo's servlet and listener in an embedded Jetty 12 on 127.0.0.1 and a free port, mapped as in
 * web.xml ({@code /repo/*}, {@code /v2/*}, {@code /metrics}, {@code /health/*}, the dashboard), configured through context parameters like a deployment.
 */
public final class ProxyServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final CountingLoginService loginService;

    private ProxyServer(Server server, ServerConnector connector, CountingLoginService loginService) {
        this.server = server;
        this.connector = connector;
        this.loginService = loginService;
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

    /**
     * As {@link #start(Path, String, Clock, Map)}, with the container security of web.xml: a Jetty
     * {@link HashLoginService} (realm {@code binaryrepo}) holding {@code users}, BASIC authentication and the
     * {@code binaryrepo-admin} constraint on {@code /api/v1/*}.
     */
    public static ProxyServer start(Path storageDir, String configYaml, Clock clock, Map<String, String> contextParams,
            TestUsers users) throws Exception {
        Path config = storageDir.resolveSibling(storageDir.getFileName() + "-repositories.yaml");
        Files.writeString(config, configYaml);
        Path realm = users.writeJettyRealm(storageDir.resolveSibling(storageDir.getFileName() + "-realm.properties"));
        return start(storageDir, config, clock, 0, contextParams, realm);
    }

    /** Starts binaryrepo with an existing repositories file, on {@code port} (0: a free one). */
    public static ProxyServer start(Path storageDir, Path config, Clock clock, int port) throws Exception {
        return start(storageDir, config, clock, port, Map.of());
    }

    private static ProxyServer start(Path storageDir, Path config, Clock clock, int port,
            Map<String, String> contextParams) throws Exception {
        return start(storageDir, config, clock, port, contextParams, null);
    }

    private static ProxyServer start(Path storageDir, Path config, Clock clock, int port,
            Map<String, String> contextParams, Path realmFile) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler ctx = realmFile == null ? new ServletContextHandler("/")
                : new ServletContextHandler("/", ServletContextHandler.SECURITY);
        ConstraintSecurityHandler security = realmFile == null ? null : security(realmFile);
        if (security != null) {
            ctx.setSecurityHandler(security);
        }
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
        ctx.addServlet(new ServletHolder("admin", io.binaryrepo.admin.AdminServlet.class), "/api/v1/*");
        server.setHandler(ctx);
        server.start();
        if (!ctx.isAvailable()) {
            server.stop();
            throw new IllegalStateException("binaryrepo context failed to start (see the log)");
        }
        return new ProxyServer(server, connector,
                security == null ? null : (CountingLoginService) security.getLoginService());
    }

    /** What web.xml's login-config and admin constraint declare, with a realm file as login service. */
    private static ConstraintSecurityHandler security(Path realmFile) {
        ConstraintSecurityHandler security = new ConstraintSecurityHandler();
        security.setRealmName("binaryrepo");
        security.setAuthenticator(new BasicAuthenticator());
        security.setLoginService(new CountingLoginService(realmFile));
        ConstraintMapping admin = new ConstraintMapping();
        admin.setPathSpec("/api/v1/*");
        admin.setConstraint(Constraint.from("binaryrepo-admin"));
        security.addConstraintMapping(admin);
        return security;
    }

    /** A realm file whose every password check is counted (the login cache must spare most of them). */
    private static final class CountingLoginService extends HashLoginService {
        private final AtomicInteger logins = new AtomicInteger();

        CountingLoginService(Path realmFile) {
            super("binaryrepo", ResourceFactory.root().newResource(realmFile));
        }

        @Override
        public UserIdentity login(String username, Object credentials, Request request,
                Function<Boolean, Session> getOrCreateSession) {
            logins.incrementAndGet();
            return super.login(username, credentials, request, getOrCreateSession);
        }
    }

    /** How often the login service checked a password (0 without {@link TestUsers}). */
    public int realmLogins() {
        return loginService == null ? 0 : loginService.logins.get();
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
