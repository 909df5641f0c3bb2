package io.binaryrepo.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The closed request loop of the by-hand overhead runners (metrics, access control): 4 clients, a 200 each time. */
public final class RequestLoop {
    private RequestLoop() {
    }

    /**
     * Sends {@code req} {@code n} times from 4 concurrent clients of {@code pool}.
     *
     * @return requests per second
     * @throws IllegalStateException when an answer is not 200
     */
    public static double run(HttpClient client, ExecutorService pool, HttpRequest req, int n) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            fs.add(pool.submit(() -> {
                for (int i = 0; i < n / 4; i++) {
                    HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("status " + r.statusCode());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        return n / ((System.nanoTime() - start) / 1e9);
    }
}
