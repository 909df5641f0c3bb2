package io.binaryrepo.s3;

import io.binaryrepo.cache.Storage;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A committed object as HeadObject saw it. {@link #open()} streams ranged GETs of exactly that version (its
 * ETag); there is no local file; {@link #redirect()} presigns a GET when redirects are configured. Immutable.
 */
record S3Entry(S3Storage storage, String key, long size, Instant lastModified, String etag) implements Storage.Entry {
    @Override
    public SeekableByteChannel open() {
        return storage.channel(key, size, etag);
    }

    @Override
    public Optional<Path> file() {
        return Optional.empty();
    }

    @Override
    public Optional<URI> redirect() {
        return storage.redirect(key);
    }
}
