package io.binaryrepo.testing;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs binaryrepo in embedded Jetty as its own process, for tests that kill it or cap its heap:
 * {@code java -cp <test classpath> io.binaryrepo.testing.ProxyMain STORAGE_DIR REPOSITORIES_FILE PORT}.
 * Prints {@code LISTENING <port>} once it serves.
 */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        ProxyServer server = ProxyServer.start(Path.of(args[0]), Path.of(args[1]), null, Integer.parseInt(args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
        }));
        System.out.println("LISTENING " + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
