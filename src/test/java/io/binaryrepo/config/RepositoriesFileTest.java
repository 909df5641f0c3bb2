package io.binaryrepo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoriesFileTest {
    private static final String WHERE = "repositories file /etc/binaryrepo/repos.yaml";
    private static final Set<String> TYPES = Set.of("docker", "maven");

    private static RepositoriesFile file(Map<String, String> env) {
        return new RepositoriesFile(TYPES, env::get);
    }

    private static List<RepositoryConfig> parse(String yaml) {
        return file(Map.of()).parse(yaml, WHERE);
    }

    private static ConfigException reject(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    /** A single repository 'hub' with the given extra lines (each already indented as a field). */
    private static String hub(String url, String... extra) {
        StringBuilder b = new StringBuilder("repositories:\n  - name: hub\n    type: docker\n    url: ")
                .append(url).append('\n');
        for (String e : extra) {
            b.append("    ").append(e).append('\n');
        }
        return b.toString();
    }

    private static void assertMessage(ConfigException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "expected '" + p + "' in: " + e.getMessage());
        }
    }

    @Test
    void parse_allFields_readIntoConfig() {
        List<RepositoryConfig> repos = parse("""
                repositories:
                  - name: docker-hub
                    type: docker
                    url: https://registry-1.docker.io
                    username: alice
                    password: s3cret
                    metadataTtl: 10m
                    connectTimeout: 3s
                    readTimeout: PT2M
                  - name: ghcr.io
                    type: docker
                    url: http://ghcr.example:5000/base
                """);

        assertEquals(2, repos.size());
        RepositoryConfig r = repos.get(0);
        assertEquals("docker-hub", r.name());
        assertEquals("docker", r.type());
        assertEquals(URI.create("https://registry-1.docker.io"), r.url());
        assertEquals("alice", r.username());
        assertEquals("s3cret", r.password());
        assertEquals(Duration.ofMinutes(10), r.metadataTtl());
        assertEquals(Duration.ofSeconds(3), r.connectTimeout());
        assertEquals(Duration.ofMinutes(2), r.readTimeout());
        assertEquals(new RepositoryConfig.Credentials("alice", "s3cret"), r.credentials().orElseThrow());
        assertEquals("ghcr.io", repos.get(1).name());
        assertEquals(URI.create("http://ghcr.example:5000/base"), repos.get(1).url());
    }

    @Test
    void parse_omittedDurationsAndCredentials_getDefaults() {
        RepositoryConfig r = parse(hub("https://example.com")).get(0);

        assertEquals(RepositoryConfig.DEFAULT_METADATA_TTL, r.metadataTtl());
        assertEquals(RepositoryConfig.DEFAULT_CONNECT_TIMEOUT, r.connectTimeout());
        assertEquals(RepositoryConfig.DEFAULT_READ_TIMEOUT, r.readTimeout());
        assertEquals(Duration.ofMinutes(5), r.metadataTtl());
        assertEquals(Duration.ofSeconds(10), r.connectTimeout());
        assertEquals(Duration.ofSeconds(60), r.readTimeout());
        assertNull(r.username());
        assertNull(r.password());
        assertTrue(r.credentials().isEmpty());
    }

    @Test
    void parse_zeroAsYamlNumber_isZeroDuration() {
        RepositoryConfig r = parse(hub("https://example.com", "metadataTtl: 0")).get(0);
        assertEquals(Duration.ZERO, r.metadataTtl());
    }

    @Test
    void parse_variablesInUrlUsernamePassword_expandedFromEnvironment() {
        Map<String, String> env = Map.of("HOST", "mirror.example", "USER", "bob", "PASS", "p$w\\d{x}");
        RepositoryConfig r = file(env).parse(hub("https://${HOST}:8443/v",
                "username: ci-${USER}", "password: ${PASS}"), WHERE).get(0);

        assertEquals(URI.create("https://mirror.example:8443/v"), r.url());
        assertEquals("ci-bob", r.username());
        assertEquals("p$w\\d{x}", r.password());
    }

    @Test
    void parse_textWithoutVariableSyntax_keptLiterally() {
        RepositoryConfig r = parse(hub("https://example.com", "username: $USER", "password: ${not-a-var}")).get(0);
        assertEquals("$USER", r.username());
        assertEquals("${not-a-var}", r.password());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "url      | https://${NOPE}.example | ",
            "username | https://example.com     | username: ${NOPE}",
            "password | https://example.com     | password: ${NOPE}"})
    void parse_unsetVariable_rejectedNamingVariableRepositoryAndField(String field, String url, String line) {
        String yaml = line == null ? hub(url) : hub(url, line, field.equals("username") ? "password: x" : "username: x");
        ConfigException e = reject(yaml);
        assertMessage(e, WHERE, "repository 'hub'", "field '" + field + "'", "environment variable NOPE is not set");
    }

    @Test
    void parse_unknownType_rejectedListingKnownTypes() {
        ConfigException e = reject("repositories:\n  - name: hub\n    type: npm\n    url: https://x.example\n");
        assertMessage(e, WHERE, "repository 'hub'", "field 'type'", "unknown type 'npm'", "(known: docker, maven)");
    }

    @Test
    void parse_duplicateName_rejected() {
        ConfigException e = reject("""
                repositories:
                  - {name: hub, type: docker, url: "https://a.example"}
                  - {name: other, type: docker, url: "https://b.example"}
                  - {name: hub, type: docker, url: "https://c.example"}
                """);
        assertMessage(e, WHERE, "repository 'hub'", "field 'name'", "duplicate name");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"Hub", "-hub", ".hub", "_hub", "hub/x", "hub x", "hüb", "..",
            "a12345678901234567890123456789012345678901234567890123456789012345"})
    void parse_malformedName_rejected(String name) {
        ConfigException e = reject("repositories:\n  - name: \"" + name + "\"\n    type: docker\n    url: https://x.example\n");
        assertMessage(e, WHERE, "repository '" + name + "'", "field 'name'", "must match [a-z0-9][a-z0-9._-]*",
                "at most 64 characters");
    }

    @Test
    void parse_nameOf64Characters_accepted() {
        String name = "a" + "b".repeat(63);
        assertEquals(name, parse("repositories:\n  - name: " + name + "\n    type: docker\n    url: https://x.example\n")
                .get(0).name());
    }

    @Test
    void parse_missingName_rejectedNamingRepositoryByIndex() {
        ConfigException e = reject("""
                repositories:
                  - {name: a, type: docker, url: "https://a.example"}
                  - {type: docker, url: "https://b.example"}
                """);
        assertMessage(e, WHERE, "repository #2", "field 'name'", "required");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "'https://exa mple.com'           | malformed URL",
            "'https://x.example/a b'          | malformed URL",
            "'ftp://x.example'                | must be an absolute http:// or https:// URL",
            "'file:///etc/passwd'             | must be an absolute http:// or https:// URL",
            "'x.example'                      | must be an absolute http:// or https:// URL",
            "'//x.example'                    | must be an absolute http:// or https:// URL",
            "'https://x.example/?a=b'         | must not contain a query",
            "'https://x.example?'             | must not contain a query",
            "'https://x.example/#frag'        | must not contain a query, a fragment",
            "'https://u:p@x.example'          | user info",
            "'https:///path'                  | has no host",
            "'https:x.example'                | has no host"})
    void parse_badUrl_rejectedNamingField(String url, String expected) {
        ConfigException e = reject(hub("\"" + url + "\""));
        assertMessage(e, WHERE, "repository 'hub'", "field 'url'", expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "https://x.example/, https://x.example",
            "https://x.example/base/, https://x.example/base",
            "https://x.example//, https://x.example",
            "HTTPS://x.example, HTTPS://x.example"})
    void parse_url_trailingSlashesStripped(String url, String expected) {
        assertEquals(URI.create(expected), parse(hub(url)).get(0).url());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"metadataTtl", "connectTimeout", "readTimeout"})
    void parse_malformedDuration_rejectedNamingField(String field) {
        ConfigException e = reject(hub("https://x.example", field + ": 5 minutes"));
        assertMessage(e, WHERE, "repository 'hub'", "field '" + field + "'", "malformed duration '5 minutes'");
    }

    @Test
    void parse_unknownField_rejectedListingKnownFields() {
        ConfigException e = reject(hub("https://x.example", "timeout: 5s"));
        assertMessage(e, WHERE, "repository 'hub'", "unknown field 'timeout'",
                "known: access, allowedHosts, connectTimeout, metadataTtl, name, password, readTimeout, roles, type, url, username");
    }

    @Test
    void parse_allowedHosts_readAsHostAndOptionalPort() {
        RepositoryConfig r = parse(hub("https://x.example",
                "allowedHosts: [cdn.example.com, \"127.0.0.1:5001\", \"[::1]:8080\", Mirror.Example]")).get(0);

        assertEquals(List.of(new AllowedHost("cdn.example.com", -1), new AllowedHost("127.0.0.1", 5001),
                new AllowedHost("0:0:0:0:0:0:0:1", 8080), new AllowedHost("mirror.example", -1)), r.allowedHosts());
        assertTrue(r.allowedHosts().get(1).allows("127.0.0.1", 5001));
        assertFalse(r.allowedHosts().get(1).allows("127.0.0.1", 5002), "host:port allows only that port");
        assertTrue(r.allowedHosts().get(0).allows("CDN.example.com", 443), "host allows every port");
        assertTrue(r.allowedHosts().get(2).allows("[::1]", 8080));
        assertEquals(List.of(), parse(hub("https://x.example")).get(0).allowedHosts(), "absent: none");
    }

    @ParameterizedTest(name = "entry [{0}]")
    @ValueSource(strings = {"https://cdn.example", "cdn.example/path", "*.example.com", "host:0", "host:70000",
            "host:port", "256.1.1.1", "a..b", "[cdn.example]", "[::1", "::1", "", "user@host"})
    void parse_malformedAllowedHostsEntry_rejectedNamingFieldAndEntry(String entry) {
        ConfigException e = reject(hub("https://x.example", "allowedHosts: [ok.example, '" + entry + "']"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'allowedHosts': entry #2");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cdn.example.com", "{host: cdn.example}", "[[a]]"})
    void parse_allowedHostsNotAListOfPlainEntries_rejected(String value) {
        ConfigException e = reject(hub("https://x.example", "allowedHosts: " + value));
        assertMessage(e, WHERE, "repository 'hub'", "field 'allowedHosts'");
    }

    @Test
    void parse_unknownTopLevelField_rejected() {
        ConfigException e = reject(hub("https://x.example") + "mirrors: []\n");
        assertMessage(e, WHERE, "unknown top-level field 'mirrors'");
    }

    @Test
    void parse_nonScalarField_rejected() {
        ConfigException e = reject(hub("https://x.example", "username: [a, b]", "password: x"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'username'", "must be a plain value");
    }

    @Test
    void parse_usernameWithoutPassword_rejectedNamingMissingField() {
        ConfigException e = reject(hub("https://x.example", "username: alice"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'password'", "username and password must be given together");
    }

    @Test
    void parse_passwordWithoutUsername_rejectedNamingMissingField() {
        ConfigException e = reject(hub("https://x.example", "password: s3cret"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'username'", "username and password must be given together");
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void parse_emptyPassword_rejected() {
        ConfigException e = reject(hub("https://x.example", "username: alice", "password: ''"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'password'", "empty");
    }

    @Test
    void parse_notYaml_rejectedWithLine() {
        ConfigException e = reject("repositories:\n  - name: hub\n    url: [unclosed\n");
        assertMessage(e, WHERE, "not valid YAML", "(line ");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "just some text", "- a\n- b\n", "repos:\n  - name: x\n"})
    void parse_notAMappingWithRepositories_rejected(String yaml) {
        ConfigException e = reject(yaml);
        assertMessage(e, WHERE, "expected a top-level 'repositories:' list");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"repositories: []\n", "repositories:\n", "repositories: hub\n", "repositories: {a: b}\n"})
    void parse_emptyOrNonListRepositories_rejected(String yaml) {
        ConfigException e = reject(yaml);
        assertMessage(e, WHERE, "'repositories' must be a non-empty list");
    }

    @Test
    void parse_repeatedTopLevelKey_rejectedInsteadOfDroppingFirstList() {
        ConfigException e = reject("""
                repositories:
                  - {name: a, type: docker, url: "https://a.example"}
                repositories:
                  - {name: b, type: docker, url: "https://b.example"}
                """);
        assertMessage(e, WHERE, "not valid YAML", "Duplicate field 'repositories'", "(line 3)");
    }

    @Test
    void parse_repeatedFieldInRepository_rejected() {
        ConfigException e = reject(hub("https://x.example", "url: https://y.example"));
        assertMessage(e, WHERE, "not valid YAML", "Duplicate field 'url'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://alice:hunter2@x.example", "https://alice:hunter2@x.example/?q=1",
            "https://alice:hunter2@bad_host:5000", "ftp://alice:hunter2@x.example", "https://alice:hunter2@", "https://alice:hunter 2@x.example",
            "https://alice:p@ss@x.example"})
    void parse_urlWithUserInfo_rejectedWithoutEchoingPassword(String url) {
        ConfigException e = reject(hub("\"" + url + "\""));
        assertMessage(e, WHERE, "repository 'hub'", "field 'url'", "***@");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
    }

    @Test
    void parse_repositoryNotAMapping_rejectedNamingIndex() {
        ConfigException e = reject("repositories:\n  - hub\n");
        assertMessage(e, WHERE, "repository #1", "must be a mapping");
    }

    @Test
    void builtInDefault_noCredentials_anonymousDockerHub() {
        List<RepositoryConfig> repos = file(Map.of()).builtInDefault();

        assertEquals(1, repos.size());
        RepositoryConfig r = repos.get(0);
        assertEquals("docker-remote", r.name());
        assertEquals("docker", r.type());
        assertEquals(URI.create("https://registry-1.docker.io"), r.url());
        assertTrue(r.credentials().isEmpty());
        assertEquals(RepositoryConfig.DEFAULT_METADATA_TTL, r.metadataTtl());
        assertEquals(RepositoryConfig.DEFAULT_CONNECT_TIMEOUT, r.connectTimeout());
        assertEquals(RepositoryConfig.DEFAULT_READ_TIMEOUT, r.readTimeout());
    }

    @Test
    void builtInDefault_blankCredentials_treatedAsUnset() {
        RepositoryConfig r = file(Map.of("DOCKERHUB_USERNAME", " ", "DOCKERHUB_PASSWORD", "")).builtInDefault().get(0);
        assertTrue(r.credentials().isEmpty());
    }

    @Test
    void builtInDefault_bothCredentials_used() {
        RepositoryConfig r = file(Map.of("DOCKERHUB_USERNAME", "alice", "DOCKERHUB_PASSWORD", "tok"))
                .builtInDefault().get(0);
        assertEquals(new RepositoryConfig.Credentials("alice", "tok"), r.credentials().orElseThrow());
    }

    @Test
    void builtInDefault_onlyUsername_rejectedNamingMissingVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> file(Map.of("DOCKERHUB_USERNAME", "alice")).builtInDefault());
        assertMessage(e, "built-in default configuration", "repository 'docker-remote'",
                "DOCKERHUB_USERNAME is set but DOCKERHUB_PASSWORD is not", "set both");
    }

    @Test
    void builtInDefault_onlyPassword_rejectedWithoutShowingIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> file(Map.of("DOCKERHUB_PASSWORD", "tok-secret")).builtInDefault());
        assertMessage(e, "built-in default configuration", "repository 'docker-remote'",
                "DOCKERHUB_PASSWORD is set but DOCKERHUB_USERNAME is not");
        assertFalse(e.getMessage().contains("tok-secret"), e.getMessage());
    }

    @Test
    void read_file_parsedAndNamedInMessages(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("repos.yaml");
        Files.writeString(f, "repositories:\n  - {name: hub, type: docker, url: \"https://x.example\"}\n");
        assertEquals("hub", file(Map.of()).read(f).get(0).name());

        Files.writeString(f, "repositories:\n  - {name: hub, type: rpm, url: \"https://x.example\"}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> file(Map.of()).read(f));
        assertMessage(e, "repositories file " + f + ": repository 'hub': field 'type'");
    }

    @Test
    void read_missingFile_rejectedNamingFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> file(Map.of()).read(missing));
        assertMessage(e, "repositories file " + missing, "cannot be read");
    }

    @Test
    void read_fileLargerThanOneMiB_rejected(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.yaml");
        Files.writeString(big, "#".repeat(1024 * 1024 + 1));
        ConfigException e = assertThrows(ConfigException.class, () -> file(Map.of()).read(big));
        assertMessage(e, "repositories file " + big, "larger than 1 MiB");
    }

    @Test
    void toString_ofConfigAndCredentials_neverShowsPassword() {
        RepositoryConfig r = file(Map.of("PW", "hunter2-from-env")).parse(
                hub("https://x.example", "username: alice", "password: ${PW}"), WHERE).get(0);
        assertEquals("hunter2-from-env", r.password());

        assertFalse(r.toString().contains("hunter2"), r.toString());
        assertTrue(r.toString().contains("credentials=configured"), r.toString());
        String creds = r.credentials().orElseThrow().toString();
        assertFalse(creds.contains("hunter2"), creds);
        assertTrue(creds.contains("username=alice"), creds);
    }

    // --- access and roles (issue 12) ---------------------------------------------------------------

    @Test
    void parse_noAccessField_anonymous() {
        RepositoryConfig r = parse(hub("https://x.example")).get(0);
        assertTrue(r.access().anonymous());
        assertEquals(Access.ANONYMOUS, r.access());
    }

    @Test
    void parse_accessAnonymous_anonymous() {
        assertTrue(parse(hub("https://x.example", "access: anonymous")).get(0).access().anonymous());
    }

    @Test
    void parse_accessAuthenticated_requiresReadRole() {
        Access a = parse(hub("https://x.example", "access: authenticated")).get(0).access();
        assertFalse(a.anonymous());
        assertEquals(Set.of("binaryrepo-read"), a.roles());
    }

    @Test
    void parse_roles_anyOfThemInConfiguredOrder() {
        Access a = parse(hub("https://x.example", "roles: [team-b, team-a, \"CN=Dev Ops\", team-b]")).get(0).access();
        assertFalse(a.anonymous());
        assertEquals(List.of("team-b", "team-a", "CN=Dev Ops"), List.copyOf(a.roles()));
    }

    @Test
    void parse_rolesAsBlockList_withAccessAuthenticated_rolesWin() {
        Access a = parse(hub("https://x.example", "access: authenticated", "roles:", "  - team-a")).get(0).access();
        assertEquals(Set.of("team-a"), a.roles());
    }

    @ParameterizedTest
    @ValueSource(strings = {"public", "Authenticated", "none", "true"})
    void parse_unknownAccessValue_rejectedNamingValueAndKnownValues(String value) {
        ConfigException e = reject(hub("https://x.example", "access: " + value));
        assertMessage(e, WHERE, "repository 'hub'", "field 'access'", "unknown value '" + value + "'",
                "known: anonymous, authenticated");
    }

    @Test
    void parse_accessAsList_rejectedAsNotPlainValue() {
        ConfigException e = reject(hub("https://x.example", "access: [authenticated]"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'access'", "must be a plain value");
    }

    @Test
    void parse_rolesWithAccessAnonymous_rejected() {
        ConfigException e = reject(hub("https://x.example", "access: anonymous", "roles: [team-a]"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'roles'", "not allowed with 'access: anonymous'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"roles: team-a", "roles: []", "roles: {a: b}", "roles:"})
    void parse_rolesNotANonEmptyList_rejected(String line) {
        ConfigException e = reject(hub("https://x.example", line));
        assertMessage(e, WHERE, "repository 'hub'", "field 'roles'", "non-empty list of role names");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a,b\"", "\" lead\"", "\"\"", "[nested]", "{x: y}", "\"tab\\there\""})
    void parse_badRoleName_rejectedNamingEntry(String role) {
        ConfigException e = reject(hub("https://x.example", "roles: [ok, " + role + "]"));
        assertMessage(e, WHERE, "repository 'hub'", "field 'roles'", "entry #2");
    }

    @Test
    void parse_tooManyRoles_rejected() {
        StringBuilder roles = new StringBuilder("roles: [r0");
        for (int i = 1; i <= AccessField.MAX_ROLES; i++) {
            roles.append(", r").append(i);
        }
        ConfigException e = reject(hub("https://x.example", roles.append(']').toString()));
        assertMessage(e, WHERE, "repository 'hub'", "field 'roles'", "at most " + AccessField.MAX_ROLES);
    }

    @Test
    void toString_showsAccess() {
        assertTrue(parse(hub("https://x.example", "roles: [team-a]")).get(0).toString()
                .contains("access=roles [team-a]"));
    }
}
