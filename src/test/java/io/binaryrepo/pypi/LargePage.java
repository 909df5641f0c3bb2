package io.binaryrepo.pypi;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A generated project page of about {@code size} bytes, HTML or JSON, produced entry by entry as it is read
 * (never held whole), for the memory tests of the page rewrite. Not thread-safe.
 */
final class LargePage extends InputStream {
    private static final String HEX = "0123456789abcdef".repeat(4);

    private final boolean json;
    private final long size;
    private long produced;
    private int entry;
    private byte[] chunk;
    private int at;
    private boolean ended;

    LargePage(boolean json, long size) {
        this.json = json;
        this.size = size;
        this.chunk = bytes(json ? "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"demo\",\"files\":["
                : "<!DOCTYPE html>\n<html><body>\n");
    }

    /** How many file entries were produced. */
    int entries() {
        return entry;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (at == chunk.length && !next()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - at);
        System.arraycopy(chunk, at, b, off, n);
        at += n;
        produced += n;
        return n;
    }

    private boolean next() {
        if (ended) {
            return false;
        }
        at = 0;
        if (produced >= size) {
            ended = true;
            chunk = bytes(json ? "]}" : "</body></html>\n");
            return true;
        }
        String file = "demo-" + entry + ".tar.gz";
        chunk = bytes(json
                ? (entry == 0 ? "" : ",") + "{\"filename\":\"" + file + "\",\"url\":\"../../packages/" + file
                        + "\",\"hashes\":{\"sha256\":\"" + HEX + "\"},\"requires-python\":\">=3.8\",\"size\":1234,"
                        + "\"upload-time\":\"2026-01-02T03:04:05Z\",\"core-metadata\":false}"
                : "<a href=\"../../packages/" + file + "#sha256=" + HEX + "\" data-requires-python=\"&gt;=3.8\">"
                        + file + "</a><br/>\n");
        entry++;
        return true;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
