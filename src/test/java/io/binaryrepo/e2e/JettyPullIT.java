package io.binaryrepo.e2e;

import io.binaryrepo.testing.ProxyServer;
import java.nio.file.Path;

/** The pull scenarios against binaryrepo in embedded Jetty 12. */
class JettyPullIT extends PullScenarios {
    private ProxyServer server;

    @Override
    protected String deploy(Path repositoriesFile, Path storageDir) throws Exception {
        server = ProxyServer.start(storageDir, repositoriesFile, null, 0);
        return "127.0.0.1:" + server.port();
    }

    @Override
    protected void undeploy() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected String serverLog() {
        return "(embedded: see target/failsafe-reports/io.binaryrepo.e2e.JettyPullIT-output.txt)";
    }
}
