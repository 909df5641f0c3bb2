package io.binaryrepo.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.ResourceHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One prefetch job (issue 10): the checked prefetches of one request, run on a job thread, each request
 * made through the repository's own {@link ResourceHandler} with an {@link InternalReply} (so a blob is
 * downloaded, verified and committed exactly as for a client; requests are counted by the metrics like a
 * client's). Progress is read by other threads: its methods are synchronized. At most {@link #MAX_ERRORS}
 * error messages are kept.
 */
final class PrefetchJob implements Inventory.Fetcher {
    static final int MAX_ERRORS = 100;

    enum State { RUNNING, DONE, FAILED }

    private final String id;
    private final ResourceHandler handler;
    private final List<Inventory.Prefetch> prefetches;
    private final List<String> errors = new ArrayList<>();
    private State state = State.RUNNING;
    private int done;
    private int total;
    private long bytes;
    private int errorCount;

    PrefetchJob(String id, ResourceHandler handler, List<Inventory.Prefetch> prefetches) {
        this.id = id;
        this.handler = handler;
        this.prefetches = List.copyOf(prefetches);
    }

    String id() {
        return id;
    }

    /** Runs every prefetch; the job is done when all ran without an error, else failed. */
    void run() {
        for (Inventory.Prefetch p : prefetches) {
            try {
                p.run(this);
            } catch (Exception e) {
                error(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        synchronized (this) {
            state = errorCount == 0 ? State.DONE : State.FAILED;
        }
    }

    @Override
    public synchronized void planned(int n) {
        total += n;
    }

    @Override
    public Optional<byte[]> get(String path, Map<String, String> headers, boolean keepBody) {
        InternalReply reply = new InternalReply(keepBody);
        ClientRequest request = new ClientRequest("GET", path, null,
                name -> headers.containsKey(name) ? List.of(headers.get(name)) : List.of(),
                () -> "http://binaryrepo.invalid");
        Optional<byte[]> result;
        try {
            handler.serve(request, reply);
            if (reply.status() != 200) {
                throw new IllegalStateException("HTTP " + reply.status());
            }
            result = Optional.of(keepBody ? reply.kept() : new byte[0]);
        } catch (Exception e) {
            error(path + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            result = Optional.empty();
        }
        synchronized (this) {
            done++;
            bytes += reply.bytes();
        }
        return result;
    }

    @Override
    public synchronized void error(String message) {
        errorCount++;
        if (errors.size() < MAX_ERRORS) {
            errors.add(message);
        }
    }

    synchronized boolean finished() {
        return state != State.RUNNING;
    }

    /** {@code {"state","done","total","bytes","errors"}} */
    synchronized ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
        n.put("done", done);
        n.put("total", total);
        n.put("bytes", bytes);
        com.fasterxml.jackson.databind.node.ArrayNode list = n.putArray("errors");
        errors.forEach(list::add);
        return n;
    }
}
