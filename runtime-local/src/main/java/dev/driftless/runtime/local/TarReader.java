package dev.driftless.runtime.local;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream entry by entry: ustar, GNU long names ({@code L}/{@code K}) and PAX headers
 * ({@code x}/{@code g}), which is what image layers use. Written here because commons-compress is only a
 * runtime dependency of Jib, and a reader this small is easy to hold to the few entry types we accept.
 */
final class TarReader {
    private static final int BLOCK = 512;

    /** One entry; {@code type} is the raw typeflag ({@code '0'} file, {@code '5'} dir, {@code '2'} symlink, {@code '1'} hardlink). */
    record Entry(String name, char type, long size, String linkName, int mode) {
        boolean isDirectory() {
            return type == '5';
        }

        boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }

        boolean isSymlink() {
            return type == '2';
        }

        boolean isHardLink() {
            return type == '1';
        }
    }

    private final InputStream in;
    private long remaining;
    private long padding;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Skips what is left of the previous entry's content. */
    Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        Map<String, String> pax = new HashMap<>();
        while (true) {
            byte[] header = new byte[BLOCK];
            if (!readBlock(header)) {
                return null;
            }
            if (isZero(header)) {
                return null;
            }
            verifyChecksum(header);
            char type = (char) header[156];
            long size = parseNumber(header, 124, 12);
            if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                byte[] data = readContent(size);
                if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else if (type == 'K') {
                    longLink = cString(data, 0, data.length);
                } else if (type == 'x') {
                    pax.putAll(parsePax(data));
                }
                continue;
            }
            String name = cString(header, 0, 100);
            String prefix = cString(header, 345, 155);
            if (!prefix.isEmpty() && "ustar".equals(cString(header, 257, 6).trim())) {
                name = prefix + "/" + name;
            }
            String link = cString(header, 157, 100);
            if (longName != null) {
                name = longName;
            }
            if (longLink != null) {
                link = longLink;
            }
            name = pax.getOrDefault("path", name);
            link = pax.getOrDefault("linkpath", link);
            if (pax.containsKey("size")) {
                size = Long.parseLong(pax.get("size").trim());
            }
            int mode = (int) parseNumber(header, 100, 8);
            boolean hasContent = type == '0' || type == '\0' || type == '7';
            remaining = hasContent ? size : 0;
            padding = hasContent ? (BLOCK - size % BLOCK) % BLOCK : 0;
            if (!hasContent && size > 0 && type != '1' && type != '2' && type != '5') {
                // Entries we do not extract (devices, fifos) may still carry data: skip it with the entry.
                remaining = size;
                padding = (BLOCK - size % BLOCK) % BLOCK;
            }
            return new Entry(name, type, size, link, mode);
        }
    }

    /** The current entry's content; reading stops at its end. */
    InputStream content() {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("tar entry is truncated");
                }
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(buffer, offset, (int) Math.min(length, remaining));
                if (n < 0) {
                    throw new EOFException("tar entry is truncated");
                }
                remaining -= n;
                return n;
            }

            @Override
            public void close() {
                // The archive stream stays open for the next entry.
            }
        };
    }

    private byte[] readContent(long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar extended header too large: " + size);
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("tar extended header is truncated");
        }
        skipFully((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private boolean readBlock(byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false;
        }
        if (n != BLOCK) {
            throw new EOFException("tar header is truncated");
        }
        return true;
    }

    private void skipFully(long count) throws IOException {
        long left = count;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("tar stream ended inside an entry");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] header) throws IOException {
        long expected = parseNumber(header, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xff);
        }
        if (sum != expected) {
            throw new IOException("not a tar archive (bad header checksum)");
        }
    }

    private static long parseNumber(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256 for values that do not fit in octal.
            long value = header[offset] & 0x7f;
            for (int i = offset + 1; i < offset + length; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        String text = cString(header, offset, length).trim();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IOException("bad number in tar header: " + text, e);
        }
    }

    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** PAX records are {@code "<len> <key>=<value>\n"}, len counting the whole record. */
    private static Map<String, String> parsePax(byte[] data) throws IOException {
        Map<String, String> values = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("bad PAX header", e);
            }
            if (length <= 0 || pos + length > data.length) {
                throw new IOException("bad PAX record length");
            }
            String record = new String(data, space + 1, pos + length - space - 2, StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                values.put(record.substring(0, eq), record.substring(eq + 1));
            }
            pos += length;
        }
        return values;
    }
}
