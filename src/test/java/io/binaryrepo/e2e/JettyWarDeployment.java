package io.binaryrepo.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

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
