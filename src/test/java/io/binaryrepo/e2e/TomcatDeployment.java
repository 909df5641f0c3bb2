package io.binaryrepo.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * binaryrepo's WAR deployed in a real Apache Tomcat by the ops script {@code scripts/tomcat}, with the
 * files of {@code tomcat-conf/}: what a production deployment runs.
 */
final class TomcatDeployment implements AutoCloseable {
    static final Path PROJECT = Path.of(System.getProperty("user.dir"));
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Path base;
    private final int port;
    private final Map<String, String> env;
    private final String[] command;

    private TomcatDeployment(Path base, int port, Map<String, String> env, String[] command) {
        this.base = base;
        this.port = port;
        this.env = env;
        this.command = command;
    }

    /** Starts Tomcat on a free port with the WAR built by {@code mvn package}. */
    static TomcatDeployment start(Path base, Path storage, Path config) {
        return start(base, storage, config, Map.of());
    }

    /** As {@link #start(Path, Path, Path)} with more environment for catalina.sh and more scripts/tomcat options. */
    static TomcatDeployment start(Path base, Path storage, Path config, Map<String, String> env, String... moreArgs) {
        String war = System.getProperty("binaryrepo.war", PROJECT.resolve("target/binaryrepo.war").toString());
        if (!Files.isRegularFile(Path.of(war))) {
            throw new AssertionError("no WAR at " + war + ": run the tests with mvn verify (package runs first)");
        }
        return start(base, storage, config, Ports.free(), env, moreArgs);
    }

    /** As {@link #start(Path, Path, Path, Map, String...)} on the given port. */
    static TomcatDeployment start(Path base, Path storage, Path config, int port, Map<String, String> env,
            String... moreArgs) {
        String war = System.getProperty("binaryrepo.war", PROJECT.resolve("target/binaryrepo.war").toString());
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(PROJECT.resolve("scripts/tomcat").toString(),
                "start", "--base", base.toString(), "--port", Integer.toString(port), "--war", war,
                "--storage", storage.toString(), "--config", config.toString()));
        cmd.addAll(java.util.List.of(moreArgs));
        Map<String, String> allEnv = new java.util.HashMap<>(env);
        allEnv.put("BINARYREPO_HEAP", "256m");
        String[] command = cmd.toArray(String[]::new);
        ExternalProcess.runChecked(TIMEOUT, allEnv, command);
        return new TomcatDeployment(base, port, Map.copyOf(allEnv), command);
    }

    /**
     * Starts this deployment again after {@link #close()} or {@link #kill9()}: same base, port, storage and
     * options, the WAR expanded anew (a redeploy). Returns when {@code GET /v2/} answers.
     */
    void restart() {
        ExternalProcess.runChecked(TIMEOUT, env, command);
    }

    /** Kills Tomcat's JVM with SIGKILL (no shutdown hook, no graceful close of connections) and waits for it. */
    void kill9() {
        try {
            long pid = Long.parseLong(Files.readString(base.resolve("tomcat.pid")).trim());
            ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("Tomcat " + pid + " is not running"));
            handle.destroyForcibly();
            handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot kill Tomcat in " + base + ": " + e, e);
        }
    }

    int port() {
        return port;
    }

    String log() {
        try {
            Path out = base.resolve("logs/catalina.out");
            return Files.exists(out) ? PullScenarios.tail(Files.readString(out)) : "(no catalina.out in " + base + ")";
        } catch (Exception e) {
            return "(cannot read the Tomcat log: " + e + ")";
        }
    }

    @Override
    public void close() {
        ExternalProcess.run(TIMEOUT, Map.of(), PROJECT.resolve("scripts/tomcat").toString(), "stop", "--base",
                base.toString());
    }
}
