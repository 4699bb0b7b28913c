package dev.driftless.runtime.local;

import dev.driftless.builder.ImageContents;
import dev.driftless.builder.ImageRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Hand-written layer tars (ustar), for the cases Jib never produces: escapes, whiteouts, hostile links. */
final class TestLayers {
    private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

    TestLayers dir(String name) {
        return entry(name, '5', "", new byte[0], 0755);
    }

    TestLayers file(String name, String content) {
        return entry(name, '0', "", content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    TestLayers symlink(String name, String target) {
        return entry(name, '2', target, new byte[0], 0777);
    }

    TestLayers hardlink(String name, String target) {
        return entry(name, '1', target, new byte[0], 0644);
    }

    /** A PAX extended header for the next entry: {@code key=value} overrides that entry's ustar field. */
    TestLayers pax(String key, String value) {
        String record = " " + key + "=" + value + "\n";
        int length = record.length() + 1;
        while (Integer.toString(length).length() + record.length() != length) {
            length++;
        }
        return entry("PaxHeaders/x", 'x', "", (length + record).getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** A GNU long-name entry ({@code L}): the next entry's name, however long. */
    TestLayers gnuLongName(String name) {
        return entry("././@LongLink", 'L', "", (name + "\0").getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** A character device entry, which has no place in a function's root. */
    TestLayers device(String name) {
        return entry(name, '3', "", new byte[0], 0644);
    }

    /** The layer as a gzipped tar with its digest. */
    ImageContents.Layer layer() {
        try {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(tar.toByteArray());
                out.write(new byte[1024]); // end-of-archive blocks
            }
            byte[] blob = gz.toByteArray();
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
            return layer(digest, blob);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ImageContents.Layer layer(String digest, byte[] blob) {
        return new ImageContents.Layer() {
            @Override
            public String digest() {
                return digest;
            }

            @Override
            public String mediaType() {
                return "application/vnd.oci.image.layer.v1.tar+gzip";
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(blob);
            }
        };
    }

    /** An image of these layers under a digest made from their digests. */
    static ImageContents image(ImageContents.Layer... layers) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<ImageContents.Layer> list = new ArrayList<>();
        for (ImageContents.Layer layer : layers) {
            sha.update(layer.digest().getBytes(StandardCharsets.UTF_8));
            list.add(layer);
        }
        ImageRef ref = new ImageRef("local/test/layers", "sha256:" + HexFormat.of().formatHex(sha.digest()));
        return new ImageContents(ref, list, List.of("true"), Map.of(), "", "/", Map.of());
    }

    private TestLayers entry(String name, char type, String link, byte[] content, int mode) {
        try {
            byte[] header = new byte[512];
            put(header, 0, 100, name);
            put(header, 100, 8, octal(mode, 7));
            put(header, 108, 8, octal(0, 7));
            put(header, 116, 8, octal(0, 7));
            put(header, 124, 12, octal(content.length, 11));
            put(header, 136, 12, octal(0, 11));
            header[156] = (byte) type;
            put(header, 157, 100, link);
            put(header, 257, 6, "ustar");
            put(header, 263, 2, "00");
            for (int i = 148; i < 156; i++) {
                header[i] = ' ';
            }
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, 8, octal(sum, 6) + "\0 ");
            tar.write(header);
            tar.write(content);
            int pad = (512 - content.length % 512) % 512;
            tar.write(new byte[pad]);
            return this;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String octal(long value, int digits) {
        String s = Long.toOctalString(value);
        return "0".repeat(Math.max(0, digits - s.length())) + s;
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, Math.min(length, bytes.length));
    }
}
