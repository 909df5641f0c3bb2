package io.binaryrepo.gomod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries of a zip file as its central directory lists them (what Go's {@code archive/zip} reader and so
 * {@code dirhash.HashZip} see), read from a channel with positioned reads (APPNOTE.TXT 4.3; zip64 records
 * 4.3.14-4.3.15 and extra field 0x0001). Only what hashing needs is kept: name, method, sizes, CRC and where
 * the data starts. Stateless.
 */
final class ZipCentralDirectory {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int MAX_COMMENT = 0xffff;
    /** A central directory larger than this is refused (the list of names is held while hashing). */
    private static final long MAX_DIRECTORY = 64L * 1024 * 1024;

    /**
     * One stored file.
     *
     * @param method 0 (stored) or 8 (deflate)
     * @param dataOffset where its (compressed) bytes start in the zip
     */
    record Entry(String name, int method, long compressedSize, long size, long crc, long dataOffset) {
    }

    private ZipCentralDirectory() {
    }

    /** @throws IOException when {@code zip} is not a zip Go would read, or reading fails */
    static List<Entry> read(SeekableByteChannel zip, long size) throws IOException {
        int tailLength = (int) Math.min(size, 22 + MAX_COMMENT);
        ByteBuffer tail = readAt(zip, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new IOException("not a zip file (no end of central directory record)");
        }
        long count = tail.getShort(eocd + 10) & 0xffff;
        long dirSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long dirOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || dirSize == 0xffffffffL || dirOffset == 0xffffffffL) {
            long eocdAt = size - tailLength + eocd;
            if (eocdAt < 20) {
                throw new IOException("zip64 end of central directory locator missing");
            }
            ByteBuffer loc = readAt(zip, eocdAt - 20, 20);
            if (loc.getInt(0) != ZIP64_LOCATOR) {
                throw new IOException("zip64 end of central directory locator missing");
            }
            ByteBuffer z = readAt(zip, loc.getLong(8), 56);
            if (z.getInt(0) != ZIP64_EOCD) {
                throw new IOException("zip64 end of central directory record missing");
            }
            count = z.getLong(32);
            dirSize = z.getLong(40);
            dirOffset = z.getLong(48);
        }
        if (dirSize > MAX_DIRECTORY || dirOffset < 0 || dirOffset + dirSize > size || count > dirSize / 46) {
            throw new IOException("zip central directory out of bounds");
        }
        ByteBuffer dir = readAt(zip, dirOffset, (int) dirSize);
        List<Entry> entries = new ArrayList<>((int) count);
        int at = 0;
        for (long n = 0; n < count; n++) {
            entries.add(entry(zip, size, dir, at));
            at += 46 + (dir.getShort(at + 28) & 0xffff) + (dir.getShort(at + 30) & 0xffff)
                    + (dir.getShort(at + 32) & 0xffff);
        }
        return entries;
    }

    private static Entry entry(SeekableByteChannel zip, long size, ByteBuffer dir, int at) throws IOException {
        if (at + 46 > dir.limit() || dir.getInt(at) != CENTRAL) {
            throw new IOException("damaged zip central directory");
        }
        int flags = dir.getShort(at + 8) & 0xffff;
        int method = dir.getShort(at + 10) & 0xffff;
        long crc = dir.getInt(at + 16) & 0xffffffffL;
        long csize = dir.getInt(at + 20) & 0xffffffffL;
        long usize = dir.getInt(at + 24) & 0xffffffffL;
        int nameLength = dir.getShort(at + 28) & 0xffff;
        int extraLength = dir.getShort(at + 30) & 0xffff;
        long local = dir.getInt(at + 42) & 0xffffffffL;
        if (at + 46 + nameLength + extraLength > dir.limit()) {
            throw new IOException("damaged zip central directory");
        }
        byte[] nameBytes = new byte[nameLength];
        dir.get(at + 46, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        if ((flags & 1) != 0) {
            throw new IOException("zip entry " + name + " is encrypted");
        }
        if (method != 0 && method != 8) {
            throw new IOException("zip entry " + name + " uses compression method " + method);
        }
        // zip64: the extra field holds, in this order, those of the three values that are 0xffffffff.
        int extra = at + 46 + nameLength;
        int extraEnd = extra + extraLength;
        while (extra + 4 <= extraEnd) {
            int id = dir.getShort(extra) & 0xffff;
            int len = dir.getShort(extra + 2) & 0xffff;
            if (id == 1) {
                int p = extra + 4;
                if (usize == 0xffffffffL && p + 8 <= extra + 4 + len) {
                    usize = dir.getLong(p);
                    p += 8;
                }
                if (csize == 0xffffffffL && p + 8 <= extra + 4 + len) {
                    csize = dir.getLong(p);
                    p += 8;
                }
                if (local == 0xffffffffL && p + 8 <= extra + 4 + len) {
                    local = dir.getLong(p);
                }
            }
            extra += 4 + len;
        }
        if (local < 0 || local + 30 > size) {
            throw new IOException("zip entry " + name + " points outside the file");
        }
        ByteBuffer header = readAt(zip, local, 30);
        if (header.getInt(0) != LOCAL) {
            throw new IOException("zip entry " + name + " has no local header");
        }
        long data = local + 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
        if (csize < 0 || usize < 0 || data + csize > size) {
            throw new IOException("zip entry " + name + " points outside the file");
        }
        return new Entry(name, method, csize, usize, crc, data);
    }

    private static ByteBuffer readAt(SeekableByteChannel ch, long position, int length) throws IOException {
        if (position < 0) {
            throw new IOException("not a zip file (too short)");
        }
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(position);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("zip file ends early");
            }
        }
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
}
