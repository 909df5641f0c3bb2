package io.binaryrepo.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Helm client with its own home directories: each {@link #run} starts {@link HelmCliMain} in a child
 * JVM on this test classpath with {@code HELM_CACHE_HOME}, {@code HELM_CONFIG_HOME},
 * {@code HELM_DATA_HOME} and {@code HOME} under {@code dir}, no proxy variables, and its temporary files
 * (helm-java unpacks the native library there) under {@code dir} too. Not thread-safe.
 */
final class HelmClient {
    private static final long TIMEOUT_SECONDS = 180;

    private final Path dir;
    private int runs;

    HelmClient(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        for (String d : List.of("cache", "config", "data", "home", "tmp")) {
            Files.createDirectories(dir.resolve(d));
        }
    }

    /** The repositories file this client's commands use. */
    Path repositories() {
        return dir.resolve("config/repositories.yaml");
    }

    /**
     * Runs {@code commands} (see {@link HelmCliMain}) and returns what they printed.
     *
     * @throws AssertionError when Helm fails or does not finish in time, with its output
     */
    String run(String... commands) throws IOException, InterruptedException {
        int n = ++runs;
        Path out = dir.resolve("run-" + n + ".out");
        Path err = dir.resolve("run-" + n + ".err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                HelmCliMain.class.getName(), repositories().toString()));
        cmd.addAll(List.of(commands));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                // helm-java writes helm-manager-*.txt/.yaml into the working directory: keep them in the temp dir
                .directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("HELM_") || k.startsWith("XDG_") || k.equalsIgnoreCase("http_proxy")
                || k.equalsIgnoreCase("https_proxy") || k.equalsIgnoreCase("all_proxy") || k.equalsIgnoreCase("no_proxy"));
        env.put("HELM_CACHE_HOME", dir.resolve("cache").toString());
        env.put("HELM_CONFIG_HOME", dir.resolve("config").toString());
        env.put("HELM_DATA_HOME", dir.resolve("data").toString());
        env.put("HOME", dir.resolve("home").toString());
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("helm did not finish in " + TIMEOUT_SECONDS + " s: " + String.join(" ", commands)
                    + "\n" + Files.readString(out) + Files.readString(err));
        }
        String stdout = Files.readString(out);
        if (p.exitValue() != 0) {
            throw new AssertionError("helm failed (exit " + p.exitValue() + "): " + String.join(" ", commands) + "\n"
                    + stdout + Files.readString(err));
        }
        return stdout;
    }
}
