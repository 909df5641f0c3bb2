package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The installed {@code mvn} (Debian's maven, 3.8.7) run as an external process with nothing of the machine's
 * own configuration: a settings file of the test's ({@code -s} and {@code -gs}, so neither
 * {@code ~/.m2/settings.xml} nor the global settings apply), a local repository of the test's
 * ({@code -Dmaven.repo.local}, so {@code ~/.m2/repository} is never read), {@code MAVEN_SKIP_RC} (no
 * {@code ~/.mavenrc}) and batch mode. Stateless.
 */
final class MavenClient {
    static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern HOME = Pattern.compile("(?m)^Maven home: (.+)$");
    private static final Pattern CENTRAL = Pattern.compile(
            "<repository>\\s*<id>central</id>.*?<url>([^<]+)</url>", Pattern.DOTALL);

    private MavenClient() {
    }

    /** {@code mvn --version}'s output (fails when mvn is not installed). */
    static String version() {
        return ExternalProcess.runChecked(Duration.ofMinutes(1), env(), "mvn", "--version").output();
    }

    /**
     * The URL of Maven's built-in {@code central} repository, read from the super POM
     * ({@code org/apache/maven/model/pom-4.0.0.xml} in the maven-model-builder jar) of the installed Maven:
     * the URL every unconfigured Maven build resolves from, without writing it anywhere.
     */
    static URI centralUrl() {
        Matcher home = HOME.matcher(version().replaceAll("\u001b\\[[0-9;]*m", ""));
        if (!home.find()) {
            throw new AssertionError("mvn --version printed no 'Maven home:' line");
        }
        Path lib = Path.of(home.group(1).trim(), "lib");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "maven-model-builder-*.jar")) {
            for (Path jar : jars) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    ZipEntry pom = zip.getEntry("org/apache/maven/model/pom-4.0.0.xml");
                    if (pom != null) {
                        try (InputStream in = zip.getInputStream(pom)) {
                            Matcher m = CENTRAL.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            if (m.find()) {
                                return URI.create(m.group(1).trim());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read the super POM under " + lib + ": " + e, e);
        }
        throw new AssertionError("no super POM with a central repository in " + lib);
    }

    /** Writes a settings file whose only mirror sends every repository ({@code *}) to {@code mirrorUrl}. */
    static Path writeSettings(Path file, String mirrorUrl) throws IOException {
        Files.writeString(file, """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>binaryrepo</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(mirrorUrl));
        return file;
    }

    /** Runs {@code mvn -B <goals>} on {@code project}; never throws for a failed build. */
    static ExternalProcess.Result run(Path project, Path settings, Path localRepository, String... goals) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("mvn", "-B", "-s", settings.toString(),
                "-gs", settings.toString(), "-Dmaven.repo.local=" + localRepository, "-f",
                project.resolve("pom.xml").toString()));
        cmd.addAll(java.util.List.of(goals));
        return ExternalProcess.run(TIMEOUT, env(), cmd.toArray(String[]::new));
    }

    private static Map<String, String> env() {
        return Map.of("MAVEN_SKIP_RC", "1", "MAVEN_OPTS", "-Xmx256m", "MAVEN_ARGS", "");
    }
}
