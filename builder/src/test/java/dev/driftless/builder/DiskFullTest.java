package dev.driftless.builder;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystemException;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ENOSPC reaches Java only as a message ("No space left on device"), at any depth of the cause chain. */
class DiskFullTest {
    @Test
    void noSpaceLeftIsADiskFullAtAnyDepth() {
        assertTrue(Builder.diskFull(new FileSystemException("/data/cache/x: No space left on device")));
        assertTrue(Builder.diskFull(new IOException("image write failed",
                new IOException("wrapped", new IOException("No space left on device")))));
        assertFalse(Builder.diskFull(new IOException("push to 127.0.0.1:5000 failed: 500 Internal Server Error")));
        assertFalse(Builder.diskFull(new IOException((String) null)));
    }
}
