package io.binaryrepo.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The built WAR (its web.xml, its WEB-INF/lib) deployed in Jetty 12 at context path {@code /}, configured
 * through context parameters as an ops descriptor would.
 */
final class JettyWarDeployment implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final Path tempDir;

    private JettyWarDeployment(Server server, ServerConnector connector, Path tempDir) {
        this.server = server;
        this.connector = connector;
        this.tempDir = tempDir;
    }

    static JettyWarDeployment start(Path storage, Path config) throws Exception {
        Path war = Path.of(System.getProperty("binaryrepo.war",
                TomcatDeployment.PROJECT.resolve("target/binaryrepo.war").toString()));
        if (!Files.isRegularFile(war)) {
            throw new AssertionError("no WAR at " + war + ": run the tests with mvn verify (package runs first)");
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(war.toString());
        Path tempDir = Files.createTempDirectory("e2e-jetty-war-");
        webapp.setTempDirectory(tempDir.toFile());
        // web.xml's BASIC login-config names realm "binaryrepo": Jetty finds the login service of that
        // name among the server's beans, as a jetty.xml <Call name="addBean"> would configure it. No
        // users: these deployments have no protected repositories.
        Path realm = Files.writeString(tempDir.resolve("realm.properties"), "# no users\n");
        server.addBean(new HashLoginService("binaryrepo", ResourceFactory.root().newResource(realm)));
        webapp.setInitParameter("binaryrepo.storage.dir", storage.toString());
        webapp.setInitParameter("binaryrepo.config", config.toString());
        // fail the start instead of serving 503s when binaryrepo cannot start
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            TempDirs.deleteRecursively(tempDir);
            throw e;
        }
        return new JettyWarDeployment(server, connector, tempDir);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            TempDirs.deleteRecursively(tempDir);
        }
    }
}
