package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * A real OpenLDAP server (Debian's {@code slapd}) of its own: a generated {@code slapd.conf} with an
 * MDB database under {@code dir}, listening on {@code ldap://127.0.0.1:PORT/} only, in the foreground
 * ({@code -d 0}) so that {@link #close()} stops it. Entries are loaded with {@code ldapadd}.
 */
final class Slapd implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final String suffix;
    private final String rootDn;
    private final String rootPassword = "root-" + UUID.randomUUID();
    private final int port = Ports.free();
    private ExternalProcess process;

    private Slapd(Path dir, String suffix) {
        this.dir = dir;
        this.suffix = suffix;
        this.rootDn = "cn=admin," + suffix;
    }

    /** Starts slapd with an empty database for {@code suffix} (e.g. {@code dc=binaryrepo,dc=test}). */
    static Slapd start(Path dir, String suffix) {
        Slapd s = new Slapd(dir, suffix);
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("slapd.conf"), String.join("\n",
                    "include /etc/ldap/schema/core.schema",
                    "include /etc/ldap/schema/cosine.schema",
                    "include /etc/ldap/schema/inetorgperson.schema",
                    "modulepath /usr/lib/ldap",
                    "moduleload back_mdb",
                    "pidfile " + dir.resolve("slapd.pid"),
                    "argsfile " + dir.resolve("slapd.args"),
                    "database mdb",
                    "maxsize 67108864",
                    "suffix \"" + suffix + "\"",
                    "rootdn \"" + s.rootDn + "\"",
                    "rootpw " + s.rootPassword,
                    "directory " + dir.resolve("data"),
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.process = ExternalProcess.start("slapd", Map.of(), "slapd", "-f", dir.resolve("slapd.conf").toString(),
                "-h", s.url() + "/", "-d", "0");
        try {
            Wait.until(TIMEOUT, () -> "slapd answering on " + s.url() + "\n" + s.process.logText(),
                    () -> ExternalProcess.run(Duration.ofSeconds(5), Map.of(), "ldapsearch", "-x", "-H", s.url(),
                            "-b", "", "-s", "base", "namingContexts").succeeded());
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** {@code ldap://127.0.0.1:PORT} */
    String url() {
        return "ldap://127.0.0.1:" + port;
    }

    String suffix() {
        return suffix;
    }

    /** Adds the entries of {@code ldif} as the root DN. */
    void add(String ldif) {
        Path file = dir.resolve("add-" + UUID.randomUUID() + ".ldif");
        try {
            Files.writeString(file, ldif);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExternalProcess.runChecked(TIMEOUT, Map.of(), "ldapadd", "-x", "-H", url(), "-D", rootDn, "-w", rootPassword,
                "-f", file.toString());
    }

    String log() {
        return process == null ? "" : process.logText();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
