package io.binaryrepo.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Whether this deployment can serve (for load balancers and Kubernetes readiness probes): the
 * configuration loaded, the storage takes a write (one byte into a new spool file, aborted, per check) and
 * its backend answers ({@link Storage#checkReachable()}: the S3 bucket), and
 * the cache's file system has at least the threshold free. Each check runs when asked; thread-safe.
 */
public final class Readiness {
    /** Servlet context attribute holding the deployment's {@link Readiness}. */
    public static final String ATTRIBUTE = "io.binaryrepo.readiness";
    /** Setting: free bytes below which the cache is not ready. */
    public static final String MIN_FREE = "binaryrepo.health.minFreeBytes";
    /** Default of {@link #MIN_FREE}: 64 MiB, twice the reserve the cache keeps for metadata writes. */
    public static final long DEFAULT_MIN_FREE = 64L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBE_KEY = "binaryrepo/health-probe";

    private final BooleanSupplier configured;
    private final Storage storage;
    private final Path root;
    private final long minFree;

    /**
     * @param configured whether the repositories are loaded
     * @param root the cache root, whose file system's free space is checked
     */
    public Readiness(BooleanSupplier configured, Storage storage, Path root, long minFree) {
        this.configured = configured;
        this.storage = storage;
        this.root = root;
        this.minFree = minFree;
    }

    /** The result: {@code {"status":"UP"|"DOWN","checks":{name:{"status":..., ...}}}}. */
    public ObjectNode check() {
        ObjectNode result = JSON.createObjectNode();
        ObjectNode checks = JSON.createObjectNode();
        boolean up = configuration(checks.putObject("configuration"));
        up &= storage(checks.putObject("storage"));
        up &= diskSpace(checks.putObject("diskSpace"));
        result.put("status", up ? "UP" : "DOWN");
        result.set("checks", checks);
        return result;
    }

    private boolean configuration(ObjectNode n) {
        boolean ok = configured.getAsBoolean();
        return status(n, ok, ok ? null : "the repositories are not loaded");
    }

    private boolean storage(ObjectNode n) {
        // One byte written to a new (spool) file and aborted: nothing is committed under the key.
        try (Storage.Writer w = storage.writer(PROBE_KEY)) {
            w.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
        } catch (IOException | RuntimeException e) {
            return status(n, false, "cannot create a file in the cache: " + e);
        }
        // An object store (S3 bucket) must answer too; local backends have nothing more to check.
        try {
            storage.checkReachable();
            return status(n, true, null);
        } catch (IOException | RuntimeException e) {
            return status(n, false, e.getMessage());
        }
    }

    private boolean diskSpace(ObjectNode n) {
        long free;
        try {
            free = Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            return status(n, false, "cannot read the free space of " + root + ": " + e);
        }
        n.put("freeBytes", free);
        n.put("thresholdBytes", minFree);
        return status(n, free >= minFree, free >= minFree ? null
                : "only " + free + " bytes free, below the threshold of " + minFree + " (" + MIN_FREE + ")");
    }

    private static boolean status(ObjectNode n, boolean ok, String error) {
        n.put("status", ok ? "UP" : "DOWN");
        if (error != null) {
            n.put("error", error);
        }
        return ok;
    }
}
