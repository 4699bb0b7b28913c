package dev.driftless.runtime.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OwnerNamespaceTest {

    @Test
    void aCleanLoginIsTheNamespaceAsIs() {
        OwnerNamespace ns = OwnerNamespace.of("alice", "fn-");
        assertEquals("fn-alice", ns.name());
        assertEquals("alice", ns.ownerLabel());
    }

    @Test
    void loginsAreCaseInsensitive() {
        assertEquals(OwnerNamespace.of("alice", "fn-"), OwnerNamespace.of("Alice", "fn-"));
    }

    @Test
    void namesThatNeededCleaningGetAHashSoTheyCannotCollide() {
        OwnerNamespace underscore = OwnerNamespace.of("a_b", "fn-");
        OwnerNamespace dash = OwnerNamespace.of("a-b", "fn-");
        assertEquals("fn-a-b", dash.name());
        assertNotEquals(dash.name(), underscore.name());
        assertTrue(underscore.name().matches("fn-a-b-[0-9a-f]{10}"), underscore.name());
        OwnerNamespace traversal = OwnerNamespace.of("../bob", "fn-");
        assertNotEquals("fn-bob", traversal.name());
        assertTrue(KubeNames.isDnsLabel(traversal.name()), traversal.name());
    }

    @Test
    void longNamesAreShortenedWithAHash() {
        String longOwner = "o".repeat(100);
        OwnerNamespace ns = OwnerNamespace.of(longOwner, "fn-");
        assertEquals(63, ns.name().length());
        assertTrue(KubeNames.isDnsLabel(ns.name()));
        assertNotEquals(ns.name(), OwnerNamespace.of(longOwner + "x", "fn-").name());
        assertTrue(KubeNames.isLabelValue(ns.ownerLabel()));
    }

    @Test
    void anOwnerIsRequired() {
        assertThrows(IllegalArgumentException.class, () -> OwnerNamespace.of(" ", "fn-"));
    }
}
