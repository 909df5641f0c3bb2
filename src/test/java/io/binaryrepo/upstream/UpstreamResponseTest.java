package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Closing a response before its body's end aborts the connection instead of reading the rest. */
class UpstreamResponseTest {

    @Test
    void closeBeforeTheEnd_ofAStalledDownload_abortsTheConnectionInsteadOfDrainingIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch serverDone = new CountDownLatch(1);
        AtomicBoolean connectionBroken = new AtomicBoolean();
        try (TestOrigin up = TestOrigin.http((req, resp) -> {
            resp.setContentLengthLong(64L << 20);
            OutputStream out = resp.getOutputStream();
            try {
                out.write(new byte[1024]);
                out.flush();
                release.await(60, TimeUnit.SECONDS);
                for (int i = 0; i < 64 * 1024; i++) {
                    out.write(new byte[1024]);
                    out.flush();
                }
            } catch (IOException e) {
                connectionBroken.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                serverDone.countDown();
            }
        }); UpstreamClient c = new UpstreamClient(Upstreams.config(up.url()), Clock.systemUTC())) {
            UpstreamResponse r = c.send(Traffic.CONTENT, "GET", "/blob", Map.of(), null);
            assertEquals(0, r.body().read());

            r.close(); // while upstream stalls: draining would wait for the read timeout and then fail

            release.countDown();
            assertTrue(serverDone.await(30, TimeUnit.SECONDS));
            assertTrue(connectionBroken.get(), "the connection was closed, not read to the end");
        }
    }
}
