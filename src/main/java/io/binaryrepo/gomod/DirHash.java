package io.binaryrepo.gomod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The checksum database's {@code h1:} hashes, as {@code golang.org/x/mod/sumdb/dirhash} computes them:
 * {@code Hash1} is SHA-256 over the lines {@code "<hex sha256 of file>  <name>\n"} of the files sorted by
 * name, base64 (standard, padded), prefixed {@code h1:}. A module zip is hashed over its files as its central
 * directory lists them ({@code HashZip}); a {@code .mod} as the single file {@code go.mod}.
 *
 * <p>The zip is read from a channel entry by entry (a 64 KiB buffer and one {@link Inflater}), never held in
 * memory; what is kept is one name and one hash per file. Entries are checked against their CRC-32, as Go's
 * reader does. Zips the go command would refuse to extract (duplicate names, names with a newline,
 * encryption, methods other than stored and deflate) are refused here too. Stateless.
 */
final class DirHash {
    private static final int BUFFER = 64 * 1024;
    /** Most files a module zip may hold, far above what {@code golang.org/x/mod/zip} allows in 500 MB. */
    private static final int MAX_FILES = 1_000_000;

    private DirHash() {
    }

    /** {@code h1:} of a {@code go.mod} file's bytes. */
    static String ofMod(SeekableByteChannel content) throws IOException {
        MessageDigest file = sha256();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        content.position(0);
        while (content.read(buf) >= 0) {
            buf.flip();
            file.update(buf);
            buf.clear();
        }
        TreeMap<String, byte[]> files = new TreeMap<>();
        files.put("go.mod", file.digest());
        return hash1(files);
    }

    /**
     * {@code h1:} of a module zip.
     *
     * @throws IOException when it is not a zip Go would read (the message says why)
     */
    static String ofZip(SeekableByteChannel zip, long size) throws IOException {
        TreeMap<String, byte[]> files = new TreeMap<>(DirHash::compareBytes);
        for (ZipCentralDirectory.Entry e : ZipCentralDirectory.read(zip, size)) {
            if (e.name().contains("\n")) {
                throw new IOException("zip entry name contains a newline");
            }
            if (files.size() >= MAX_FILES) {
                throw new IOException("zip has more than " + MAX_FILES + " files");
            }
            if (files.put(e.name(), contentHash(zip, e)) != null) {
                throw new IOException("zip has two entries named " + e.name());
            }
        }
        return hash1(files);
    }

    private static String hash1(Map<String, byte[]> sortedFiles) {
        MessageDigest all = sha256();
        HexFormat hex = HexFormat.of();
        sortedFiles.forEach((name, sum) ->
                all.update((hex.formatHex(sum) + "  " + name + "\n").getBytes(StandardCharsets.UTF_8)));
        return "h1:" + Base64.getEncoder().encodeToString(all.digest());
    }

    private static byte[] contentHash(SeekableByteChannel zip, ZipCentralDirectory.Entry e) throws IOException {
        MessageDigest md = sha256();
        CRC32 crc = new CRC32();
        long produced = 0;
        ByteBuffer in = ByteBuffer.allocate(BUFFER);
        zip.position(e.dataOffset());
        long left = e.compressedSize();
        if (e.method() == 0) {
            while (left > 0) {
                byte[] chunk = read(zip, in, left);
                left -= chunk.length;
                md.update(chunk);
                crc.update(chunk);
                produced += chunk.length;
            }
        } else {
            Inflater inflater = new Inflater(true);
            try {
                byte[] out = new byte[BUFFER];
                while (!inflater.finished()) {
                    if (inflater.needsInput()) {
                        if (left == 0) {
                            throw new IOException("zip entry " + e.name() + " is truncated");
                        }
                        byte[] chunk = read(zip, in, left);
                        left -= chunk.length;
                        inflater.setInput(chunk);
                    }
                    int n = inflater.inflate(out);
                    if (n == 0 && inflater.needsDictionary()) {
                        throw new IOException("zip entry " + e.name() + " needs a preset dictionary");
                    }
                    md.update(out, 0, n);
                    crc.update(out, 0, n);
                    produced += n;
                    if (produced > e.size()) {
                        break;
                    }
                }
            } catch (DataFormatException ex) {
                throw new IOException("zip entry " + e.name() + " is not valid deflate data: " + ex.getMessage());
            } finally {
                inflater.end();
            }
        }
        if (produced != e.size() || crc.getValue() != e.crc()) {
            throw new IOException("zip entry " + e.name() + " does not match its size or CRC-32");
        }
        return md.digest();
    }

    /** Reads at most {@code left} (and the buffer's capacity) bytes; fails at the end of the channel. */
    private static byte[] read(SeekableByteChannel ch, ByteBuffer buf, long left) throws IOException {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), left));
        int n = ch.read(buf);
        if (n <= 0) {
            throw new IOException("zip ends inside an entry");
        }
        byte[] chunk = new byte[n];
        buf.flip();
        buf.get(chunk);
        return chunk;
    }

    /** Go sorts names as byte strings (UTF-8), which differs from Java's UTF-16 order beyond the BMP. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
