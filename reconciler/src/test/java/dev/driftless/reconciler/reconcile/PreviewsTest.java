package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.FunctionSpec;
import dev.driftless.runtime.FunctionDeployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreviewsTest {

    @Test
    void aPreviewIsNamedAfterItsFunctionAndPullRequestWithinADnsLabel() {
        assertEquals("hello--pr-7", Previews.previewName("hello", 7));
        String longest = "a".repeat(63 - "--pr-12".length());
        assertEquals(63, Previews.previewName(longest, 12).length());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> Previews.previewName(longest + "b", 12));
        assertTrue(tooLong.getMessage().contains("is 64 characters, more than the 63")
                && tooLong.getMessage().contains("at most 56 characters"), tooLong.getMessage());
        assertEquals("fns--pr-7", Previews.previewRepository("fns", 7));
        assertEquals("driftless/hello--pr-7", Previews.context("hello", 7));
    }

    @Test
    void aForksPreviewIsDeployedWithoutTheSecretsItsStackNames() {
        String spec = SpecJson.write(new FunctionSpec("hello", "python3", Map.of("GREETING", "hi"), List.of("db-password"),
                Map.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), true));
        FunctionDeployment own = SpecJson.deployment("alice", "fns--pr-7", "hello--pr-7", "r/i@sha256:" + "a".repeat(64),
                "1".repeat(40), 7, spec, true);
        FunctionDeployment fork = SpecJson.deployment("alice", "fns--pr-7", "hello--pr-7", "r/i@sha256:" + "a".repeat(64),
                "1".repeat(40), 7, spec, false);
        assertEquals(List.of("db-password"), own.secrets());
        assertEquals(List.of(), fork.secrets());
        assertEquals(Map.of("GREETING", "hi"), fork.environment(), "only secrets are dropped");
    }
}
