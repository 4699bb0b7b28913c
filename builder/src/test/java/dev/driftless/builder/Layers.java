package dev.driftless.builder;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a layer blob (gzipped tar) the way the local runtime unpacks it. */
final class Layers {
    private Layers() { }

    /** Entry name → "mode uid:gid" plus, for small files, their text. */
    record Entry(String name, int mode, long uid, long gid, boolean directory, String text) { }

    static Map<String, Entry> entries(ImageContents.Layer layer) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (InputStream in = layer.open(); TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String text = e.isFile() && e.getSize() < 4096 ? new String(tar.readAllBytes(), StandardCharsets.UTF_8) : null;
                String name = e.getName().replaceAll("/$", "");
                out.put(name, new Entry(name, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(), e.isDirectory(), text));
            }
            in.transferTo(java.io.OutputStream.nullOutputStream()); // reach the end so the digest is checked
        }
        return out;
    }
}
