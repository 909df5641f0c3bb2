package io.binaryrepo.e2e;

import java.nio.file.Path;

/** The pull scenarios against the WAR in a real Tomcat, deployed with scripts/tomcat and tomcat-conf/. */
class TomcatPullIT extends PullScenarios {
    private TomcatDeployment tomcat;

    @Override
    protected String deploy(Path repositoriesFile, Path storageDir) {
        tomcat = TomcatDeployment.start(work.resolve("tomcat-base"), storageDir, repositoriesFile);
        return "127.0.0.1:" + tomcat.port();
    }

    @Override
    protected void undeploy() {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Override
    protected String serverLog() {
        return tomcat == null ? "(Tomcat not started)" : tomcat.log();
    }
}
