package dev.driftless.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OwnerPolicyTest {

    @Test
    void anAllowListRefusesEveryoneElseWithAClearFailedStatus() {
        OwnerPolicy policy = OwnerPolicy.parse("alice, Bob\ncarol");
        assertTrue(policy.allows("alice"));
        assertTrue(policy.allows("bob"), "GitHub logins are case-insensitive");
        assertTrue(policy.allows("CAROL"));
        assertFalse(policy.allows("mallory"));
        assertNull(policy.refusal("alice", "fns", Statuses.SHA1, "main", 1, 77L));

        CommitStatus refusal = policy.refusal("mallory", "fns", Statuses.SHA1, "main", 1, 77L);
        assertEquals(CommitStatus.STACK_CONTEXT, refusal.context());
        assertEquals(CommitStatus.State.FAILURE, refusal.state());
        assertEquals("owner 'mallory' is not allowed on this Driftless", refusal.description());
        assertEquals(77L, refusal.installationId());
    }

    @Test
    void noListMeansEveryone() {
        assertTrue(OwnerPolicy.parse("  ").allows("anyone"));
        assertTrue(OwnerPolicy.parse(null).allows("anyone"));
        assertTrue(OwnerPolicy.allowAll().allows("anyone"));
    }
}
