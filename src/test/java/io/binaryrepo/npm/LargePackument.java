package io.binaryrepo.npm;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A generated packument of about {@code size} bytes, produced version by version as it is read (never held
 * whole): like the largest real ones, many versions each with a long description, dependencies, scripts
 * and a dist whose tarball is on {@code upstream}. Not thread-safe (one reader).
 */
final class LargePackument extends InputStream {
    private final long size;
    private final String upstream;
    private long produced;
    private int version;
    private byte[] chunk;
    private int pos;
    private boolean ended;

    LargePackument(long size, String upstream) {
        this.size = size;
        this.upstream = upstream;
        this.chunk = "{\"_id\":\"big\",\"name\":\"big\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{"
                .getBytes(StandardCharsets.UTF_8);
    }

    /** How many versions were produced so far (all of them once the stream is read to its end). */
    int versions() {
        return version;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos == chunk.length && !next()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean next() {
        if (ended) {
            return false;
        }
        String text;
        if (produced < size) {
            String v = "1.0." + version;
            text = (version == 0 ? "" : ",") + "\"" + v + "\":{\"name\":\"big\",\"version\":\"" + v + "\","
                    + "\"description\":\"" + "a generated version description. ".repeat(60) + "\","
                    + "\"dependencies\":{\"left-pad\":\"^1.3.0\",\"@types/node\":\"*\"},"
                    + "\"scripts\":{\"test\":\"node test.js\",\"postinstall\":\"node setup.js\"},"
                    + "\"_npmUser\":{\"name\":\"someone\",\"email\":\"someone@example.com\"},"
                    + "\"dist\":{\"tarball\":\"" + upstream + "/big/-/big-" + v + ".tgz\","
                    + "\"shasum\":\"0123456789abcdef0123456789abcdef01234567\","
                    + "\"integrity\":\"sha512-" + "A".repeat(86) + "==\"}}";
            version++;
        } else {
            text = "},\"time\":{\"modified\":\"2024-01-01T00:00:00.000Z\"},\"readme\":\"" + "r".repeat(100_000) + "\"}";
            ended = true;
        }
        chunk = text.getBytes(StandardCharsets.UTF_8);
        produced += chunk.length;
        pos = 0;
        return true;
    }
}
