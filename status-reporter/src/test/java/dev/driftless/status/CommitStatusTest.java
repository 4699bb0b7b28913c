package dev.driftless.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CommitStatusTest {

    @Test
    void descriptionsAreCutTo140CharactersWithoutSplittingASurrogatePair() {
        String emoji = "🚀"; // two UTF-16 chars, one code point
        String long200 = emoji.repeat(200);
        String cut = Statuses.stack(Statuses.SHA1, 1, CommitStatus.State.PENDING, long200).description();
        assertEquals(140, cut.codePointCount(0, cut.length()));
        assertTrue(cut.endsWith(emoji + "…"), cut);
        String exact = "x".repeat(140);
        assertEquals(exact, Statuses.stack(Statuses.SHA1, 1, CommitStatus.State.PENDING, exact).description());
        assertEquals("a b", Statuses.stack(Statuses.SHA1, 1, CommitStatus.State.PENDING, "a\n b").description());
    }

    @Test
    void invalidStatusesListEveryProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommitStatus.builder()
                .repository("alice/evil", "..").commit("HEAD", "main", -1).context("other/x").description("d")
                .targetUrl("javascript:alert(1)").build());
        for (String problem : new String[] {"owner", "repo", "sha", "commitSequence", "context", "state", "targetUrl"}) {
            assertTrue(e.getMessage().contains(problem), problem + " missing in: " + e.getMessage());
        }
    }

    @Test
    void shortLogsAreLeftAlone() {
        CommitStatus status = Statuses.on(Statuses.SHA1, 1).stack().state(CommitStatus.State.FAILURE).description("x")
                .log("line 1\nline 2\n").build();
        assertEquals("line 1\nline 2\n", status.log());
    }
}
