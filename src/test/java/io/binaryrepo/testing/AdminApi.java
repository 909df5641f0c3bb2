package io.binaryrepo.testing;

import io.binaryrepo.e2e.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client of binaryrepo's admin API ({@code /api/v1/}, issue 10) for tests: sends requests with a user's
 * BASIC credentials and reads the JSON answers. Thread-safe.
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String authorization;

    /**
     * @param base binaryrepo's URL, e.g. {@code http://127.0.0.1:8081}
     * @param authorization the {@code Authorization} header value, or null for none
     */
    public AdminApi(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** An answer: status and body (parsed as JSON when it is JSON, else null). */
    public record Answer(int status, JsonNode json, String body, HttpResponse<String> response) {
    }

    public Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    public Answer delete(String path) throws IOException, InterruptedException {
        return send("DELETE", path, null);
    }

    public Answer post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, json);
    }

    /** Sends {@code method} to {@code base + path} with {@code body} (null: none) as JSON. */
    public Answer send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (IOException notJson) {
            // left null: the test asserts on the status or body
        }
        return new Answer(r.statusCode(), json, r.body(), r);
    }

    /** Starts a prefetch of {@code references} in {@code repo} and waits (at most 2 minutes) until it ends. */
    public JsonNode prefetch(String repo, String bodyJson) throws Exception {
        Answer started = post("/api/v1/repositories/" + repo + "/prefetch", bodyJson);
        if (started.status() != 202) {
            throw new AssertionError("prefetch not started: " + started.status() + " " + started.body());
        }
        String job = started.json().path("job").asText();
        JsonNode[] last = new JsonNode[1];
        Wait.until(Duration.ofMinutes(2), () -> "job " + job + " still running: " + last[0], () -> {
            Answer a;
            try {
                a = get("/api/v1/jobs/" + job);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            if (a.status() != 200) {
                throw new AssertionError("job " + job + ": " + a.status() + " " + a.body());
            }
            last[0] = a.json();
            return !a.json().path("state").asText().equals("running");
        });
        return last[0];
    }

    /** {@code value} percent-encoded for a query parameter. */
    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
