package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parser's own rules, on payloads written here: fallbacks and refusals. */
class GitHubEventParserTest {

    static JsonObject push(String ref) {
        return new JsonObject()
                .put("ref", ref)
                .put("before", "0000000000000000000000000000000000000000")
                .put("after", "6113728f27ae82c7b1a177c8d03f9e96e0adf246")
                .put("created", true).put("deleted", false).put("forced", false)
                .put("repository", new JsonObject()
                        .put("id", 42).put("name", "fns").put("full_name", "alice/fns").put("private", true)
                        .put("clone_url", "https://github.com/alice/fns.git")
                        .put("default_branch", "main")
                        .put("owner", new JsonObject().put("login", "alice")))
                .put("pusher", new JsonObject().put("name", "alice"))
                .put("installation", new JsonObject().put("id", 7));
    }

    @Test
    void branchPushToTheDefaultBranch() throws Exception {
        GitHubEvent.Push push = assertInstanceOf(GitHubEvent.Push.class,
                GitHubEventParser.parse("push", push("refs/heads/main").toBuffer()));
        assertEquals(Optional.of("main"), push.branch());
        assertTrue(push.toDefaultBranch());
        assertEquals(Optional.of(7L), push.installationId());
        assertEquals("alice/fns", push.repository().fullName());
    }

    @Test
    void ownerNameAndMasterBranchAreFallbacks() throws Exception {
        JsonObject json = push("refs/heads/feature/x");
        JsonObject repo = json.getJsonObject("repository");
        repo.put("owner", new JsonObject().put("name", "alice"));
        repo.remove("default_branch");
        repo.put("master_branch", "trunk");
        GitHubEvent.Push push = (GitHubEvent.Push) GitHubEventParser.parse("push", json.toBuffer());
        assertEquals("alice", push.repository().owner());
        assertEquals("trunk", push.repository().defaultBranch());
        assertEquals(Optional.of("feature/x"), push.branch());
        assertEquals(false, push.toDefaultBranch());
    }

    @Test
    void malformedPayloadsAreRefusedWithAReason() {
        MalformedEventException notJson = assertThrows(MalformedEventException.class,
                () -> GitHubEventParser.parse("push", Buffer.buffer("{\"ref\": ")));
        assertTrue(notJson.getMessage().contains("not a JSON object"), notJson.getMessage());
        assertThrows(MalformedEventException.class, () -> GitHubEventParser.parse("push", Buffer.buffer("[1,2]")));
        assertThrows(MalformedEventException.class, () -> GitHubEventParser.parse("push", Buffer.buffer("null")));

        JsonObject noRepository = push("refs/heads/main");
        noRepository.remove("repository");
        MalformedEventException missing = assertThrows(MalformedEventException.class,
                () -> GitHubEventParser.parse("push", noRepository.toBuffer()));
        assertTrue(missing.getMessage().contains("repository"), missing.getMessage());

        JsonObject wrongType = push("refs/heads/main").put("after", 12);
        assertThrows(MalformedEventException.class, () -> GitHubEventParser.parse("push", wrongType.toBuffer()));

        JsonObject installationWithoutId = new JsonObject().put("action", "created")
                .put("installation", new JsonObject().put("account", new JsonObject().put("login", "alice")));
        assertThrows(MalformedEventException.class,
                () -> GitHubEventParser.parse("installation", installationWithoutId.toBuffer()));
    }

    @Test
    void otherEventsAreNamedNotParsed() throws Exception {
        assertEquals(new GitHubEvent.Other("check_run"),
                GitHubEventParser.parse("check_run", new JsonObject().put("anything", 1).toBuffer()));
    }
}
