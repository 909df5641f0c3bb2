package io.binaryrepo.e2e;

import java.nio.file.Path;

/** The pull scenarios against the built WAR deployed in Jetty 12. */
class JettyPullIT extends PullScenarios {
    private JettyWarDeployment jetty;

    @Override
    protected String deploy(Path repositoriesFile, Path storageDir) throws Exception {
        jetty = JettyWarDeployment.start(storageDir, repositoriesFile);
        return "127.0.0.1:" + jetty.port();
    }

    @Override
    protected void undeploy() throws Exception {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Override
    protected String serverLog() {
        return "(Jetty runs in the test JVM: see target/failsafe-reports/io.binaryrepo.e2e.JettyPullIT-output.txt)";
    }
}
