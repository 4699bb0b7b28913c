package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.builder.ImageContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageUnpackerTest {
    @TempDir
    Path data;

    private Path roots() {
        return data.resolve("roots");
    }

    @Test
    void unpacksLayersInOrderWithWhiteoutsAndReusesTheRoot() throws Exception {
        ImageContents image = TestLayers.image(
                new TestLayers().dir("etc/").file("etc/passwd", "base").dir("home/app/")
                        .file("home/app/old.txt", "old").file("home/app/keep.txt", "keep")
                        .dir("opt/cache/").file("opt/cache/a", "a").symlink("bin", "usr/bin").layer(),
                new TestLayers().file("etc/passwd", "top").file("home/app/.wh.old.txt", "")
                        .file("opt/cache/.wh..wh..opq", "").file("opt/cache/b", "b")
                        .hardlink("home/app/same.txt", "home/app/keep.txt").layer());
        ImageUnpacker unpacker = new ImageUnpacker(roots());

        Path root = unpacker.unpack(image);

        assertEquals(roots().resolve(image.ref().digest().replace(':', '-')), root);
        assertEquals("top", Files.readString(root.resolve("etc/passwd")), "a later layer wins");
        assertFalse(Files.exists(root.resolve("home/app/old.txt")), ".wh. removes the lower file");
        assertEquals("keep", Files.readString(root.resolve("home/app/keep.txt")));
        assertEquals("keep", Files.readString(root.resolve("home/app/same.txt")), "hard link inside the root");
        assertEquals(List.of("b"), names(root.resolve("opt/cache")), "opaque whiteout hides the lower folder's content");
        assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(root.resolve("bin")));
        assertEquals(List.of(root.getFileName().toString()), names(roots()), "no temporary folder left");

        Files.writeString(root.resolve("marker"), "unpacked once");
        assertEquals(root, unpacker.unpack(image));
        assertTrue(Files.exists(root.resolve("marker")), "an unpacked root is reused, not unpacked again");
    }

    @Test
    void refusesEntriesThatEscapeTheRootAndLeavesNothingBehind() throws Exception {
        Path outside = data.resolve("outside");
        Files.createDirectories(outside);
        List<ImageContents.Layer> hostile = List.of(
                new TestLayers().file("../escape.txt", "x").layer(),
                new TestLayers().file("a/../../escape.txt", "x").layer(),
                new TestLayers().file("/etc/escape.txt", "x").layer(),
                new TestLayers().symlink("link", "../../outside").layer(),
                new TestLayers().symlink("link", "a/../../..").layer(),
                new TestLayers().symlink("out", "/").file("out/escape.txt", "x").layer(),
                new TestLayers().hardlink("h", "../outside/file").layer());
        Files.writeString(outside.resolve("file"), "host");
        // A layer that plants a symlink to the host, then a later layer that writes through it.
        Files.createDirectories(data.resolve("target"));
        ImageContents throughLink = TestLayers.image(
                new TestLayers().symlink("etc", "/").layer(),
                new TestLayers().file("etc/escape.txt", "x").layer());
        ImageUnpacker unpacker = new ImageUnpacker(roots());

        for (int i = 0; i < hostile.size(); i++) {
            ImageContents.Layer layer = hostile.get(i);
            assertThrows(IOException.class, () -> unpacker.unpack(TestLayers.image(layer)), "hostile layer " + i);
        }
        assertThrows(IOException.class, () -> unpacker.unpack(throughLink));

        assertFalse(Files.exists(data.resolve("escape.txt")));
        assertFalse(Files.exists(Path.of("/etc/escape.txt")));
        assertFalse(Files.exists(Path.of("/escape.txt")));
        assertEquals("host", Files.readString(outside.resolve("file")));
        assertEquals(List.of(), names(roots()), "a refused image leaves no root and no temporary folder");
    }

    @Test
    void readsPaxAndGnuLongNamesAndSkipsDevices() throws Exception {
        String deep = "home/app/" + "d".repeat(120) + "/module.py";
        String gnu = "opt/" + "g".repeat(150) + ".txt";
        ImageContents image = TestLayers.image(new TestLayers()
                .pax("path", deep).file("short-ustar-name", "pax")
                .gnuLongName(gnu).file("truncated", "gnu")
                .device("dev-null").layer());

        Path root = new ImageUnpacker(roots()).unpack(image);

        assertEquals("pax", Files.readString(root.resolve(deep)), "the PAX path replaces the ustar name");
        assertEquals("gnu", Files.readString(root.resolve(gnu)));
        assertFalse(Files.exists(root.resolve("short-ustar-name")) || Files.exists(root.resolve("truncated")));
        assertFalse(Files.exists(root.resolve("dev-null"), LinkOption.NOFOLLOW_LINKS), "devices are not made");
    }

    @Test
    void longNamesAndLinkTargetsAreCheckedLikeShortOnes() throws Exception {
        Path outside = Files.createDirectories(data.resolve("outside"));
        Files.writeString(outside.resolve("file"), "host");
        List<ImageContents.Layer> hostile = List.of(
                new TestLayers().pax("path", "../escape.txt").file("harmless", "x").layer(),
                new TestLayers().gnuLongName("a/" + "b".repeat(120) + "/../../../escape.txt").file("harmless", "x").layer(),
                new TestLayers().pax("linkpath", "../../outside").symlink("link", "harmless").layer(),
                // A hard link to a symlink that points out would be a second name for the host's file.
                new TestLayers().symlink("up", "/").hardlink("h", "up").layer());
        ImageUnpacker unpacker = new ImageUnpacker(roots());

        for (int i = 0; i < hostile.size(); i++) {
            ImageContents.Layer layer = hostile.get(i);
            assertThrows(IOException.class, () -> unpacker.unpack(TestLayers.image(layer)), "hostile layer " + i);
        }

        assertFalse(Files.exists(data.resolve("escape.txt")));
        assertEquals("host", Files.readString(outside.resolve("file")));
        assertEquals(List.of(), names(roots()), "a refused image leaves no root and no temporary folder");
    }

    @Test
    void absoluteSymlinksStayInsideTheRootAndAreNotFollowed() throws Exception {
        ImageContents image = TestLayers.image(new TestLayers().dir("usr/").symlink("usr/python", "/usr/bin/python3")
                .layer());

        Path root = new ImageUnpacker(roots()).unpack(image);

        assertTrue(Files.isSymbolicLink(root.resolve("usr/python")));
        assertEquals(Path.of("/usr/bin/python3"), Files.readSymbolicLink(root.resolve("usr/python")));
    }

    @Test
    void refusesALayerWhoseContentDoesNotMatchItsDigest() throws Exception {
        ImageContents.Layer real = new TestLayers().file("a", "x").layer();
        ImageContents.Layer lying = TestLayers.layer("sha256:" + "0".repeat(64), real.open().readAllBytes());

        IOException e = assertThrows(IOException.class, () -> new ImageUnpacker(roots()).unpack(TestLayers.image(lying)));

        assertTrue(e.getMessage().contains("digest"), e.getMessage());
        assertEquals(List.of(), names(roots()));
    }

    private static List<String> names(Path folder) throws IOException {
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
