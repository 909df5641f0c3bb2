package io.binaryrepo.e2e;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@link AccessScenarios} with the users in a tomcat-users.xml (PBKDF2 hashes) read by the
 * UserDatabaseRealm of tomcat-conf/realm-userdatabase.xml inside LockOutRealm, via scripts/tomcat's
 * {@code --users} option.
 */
class TomcatAccessIT extends AccessScenarios {
    @Override
    protected TomcatDeployment deploy(Path config, Path storage) throws Exception {
        Path usersFile = users.writeTomcatUsers(work.resolve("tomcat-users.xml"));
        return TomcatDeployment.start(work.resolve("tomcat-base"), storage, config, Map.of(), "--users",
                usersFile.toString());
    }
}
