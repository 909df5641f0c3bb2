package io.binaryrepo.e2e;

import io.binaryrepo.testing.TestUsers.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link AccessScenarios} against a real LDAP server: Debian's slapd, started by the test with its own
 * data directory on a free port, through the JNDIRealm of tomcat-conf/realm-ldap.xml (inside
 * LockOutRealm) with only the server and the base DN replaced; the service account's password comes
 * from the system property the example names. Roles are the groups ({@code groupOfNames}) whose
 * {@code member} is the user.
 */
class LdapAccessIT extends AccessScenarios {
    private static final String SUFFIX = "dc=binaryrepo,dc=test";
    private Slapd slapd;

    @Override
    protected TomcatDeployment deploy(Path config, Path storage) throws Exception {
        slapd = Slapd.start(work.resolve("slapd"), SUFFIX);
        String servicePassword = "svc-" + UUID.randomUUID();
        slapd.add(directory(servicePassword));
        String example = Files.readString(TomcatDeployment.PROJECT.resolve("tomcat-conf/realm-ldap.xml"));
        String realm = example.replace("ldaps://ldap.corp.example:636", slapd.url()).replace("dc=corp,dc=example", SUFFIX);
        if (realm.equals(example) || !realm.contains(slapd.url())) {
            throw new AssertionError("tomcat-conf/realm-ldap.xml no longer has the example values this test replaces");
        }
        Path realmFile = Files.writeString(work.resolve("realm-ldap.xml"), realm);
        try {
            return TomcatDeployment.start(work.resolve("tomcat-base"), storage, config,
                    Map.of("CATALINA_OPTS", "-Dbinaryrepo.ldap.password=" + servicePassword),
                    "--realm", realmFile.toString());
        } catch (RuntimeException | Error e) {
            throw new AssertionError(e.getMessage() + "\n--- slapd ---\n" + slapd.log(), e);
        }
    }

    @Override
    protected void stopRealm() {
        if (slapd != null) {
            slapd.close();
        }
    }

    /** The tree: people, groups named after roles, and the service account the realm searches as. */
    private String directory(String servicePassword) {
        StringBuilder b = new StringBuilder();
        entry(b, SUFFIX, "objectClass: dcObject", "objectClass: organization", "o: binaryrepo test", "dc: binaryrepo");
        entry(b, "ou=people," + SUFFIX, "objectClass: organizationalUnit", "ou: people");
        entry(b, "ou=groups," + SUFFIX, "objectClass: organizationalUnit", "ou: groups");
        entry(b, "ou=services," + SUFFIX, "objectClass: organizationalUnit", "ou: services");
        entry(b, "cn=binaryrepo,ou=services," + SUFFIX, "objectClass: organizationalRole",
                "objectClass: simpleSecurityObject", "cn: binaryrepo", "userPassword: " + servicePassword);
        Map<String, StringBuilder> groups = new LinkedHashMap<>();
        for (User u : users.all()) {
            String dn = "uid=" + u.name() + ",ou=people," + SUFFIX;
            entry(b, dn, "objectClass: inetOrgPerson", "uid: " + u.name(), "cn: " + u.name(), "sn: " + u.name(),
                    "userPassword: " + u.password());
            for (String role : u.roles()) {
                groups.computeIfAbsent(role, r -> new StringBuilder()).append("member: ").append(dn).append('\n');
            }
        }
        groups.forEach((role, members) -> entry(b, "cn=" + role + ",ou=groups," + SUFFIX, "objectClass: groupOfNames",
                "cn: " + role, members.toString().strip()));
        return b.toString();
    }

    private static void entry(StringBuilder b, String dn, String... lines) {
        b.append("dn: ").append(dn).append('\n');
        List.of(lines).forEach(l -> b.append(l).append('\n'));
        b.append('\n');
    }
}
