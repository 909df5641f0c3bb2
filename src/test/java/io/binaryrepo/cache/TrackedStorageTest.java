package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link StorageContract} through the decorator the repositories use, plus what it forwards. */
class TrackedStorageTest extends StorageContract {
    @TempDir
    Path tmp;

    @Override
    protected Storage createStorage() throws IOException {
        return new TrackedStorage(new FileStorage(tmp.resolve("cache")), EvictionPolicy.NONE, Clock.systemUTC(),
                Evictor.Listener.NONE);
    }

    @Test
    void crashRecoveryState_forwardedToTheBackend() throws IOException {
        Storage s = createStorage();
        s.put("k", new byte[1]);
        // no close: the next open sees an unclean shutdown, through the decorator too
        TrackedStorage again = (TrackedStorage) createStorage();
        assertTrue(again.uncleanShutdown().isPresent());
        assertSame(again.uncleanShutdown(), again.backend().uncleanShutdown());
        again.recovered();
        again.close();
        assertEquals(Optional.empty(), ((TrackedStorage) createStorage()).uncleanShutdown());
    }

    @Test
    void get_returnsTheBackendsEntry_soZeroCopyAndRedirectsStillWork() throws IOException {
        TrackedStorage s = (TrackedStorage) createStorage();
        s.put("k", new byte[] {1, 2});
        Storage.Entry e = s.get("k").orElseThrow();
        assertEquals(s.backend().get("k").orElseThrow().file(), e.file());
        assertTrue(s.lastAccess("k").orElseThrow().isAfter(Instant.now().minusSeconds(60)));
        assertTrue(s.hasRoomFor(1));
    }
}
