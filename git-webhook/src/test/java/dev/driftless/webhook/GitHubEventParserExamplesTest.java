package dev.driftless.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.driftless.testsupport.RealComponent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@code push}, {@code installation}, {@code installation_repositories} and {@code ping} example that
 * GitHub's SDK team publishes in {@code @octokit/webhooks-examples}, parsed and compared field by field with
 * values read straight from the example JSON.
 */
class GitHubEventParserExamplesTest {
    private static JsonArray events;

    @BeforeAll
    static void load() throws Exception {
        Path index = Path.of(RealComponent.WEBHOOK_EXAMPLES.require());
        events = new JsonArray(Files.readString(index));
    }

    private static List<JsonObject> examples(String event) {
        List<JsonObject> found = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonObject entry = events.getJsonObject(i);
            if (event.equals(entry.getString("name"))) {
                JsonArray list = entry.getJsonArray("examples");
                for (int j = 0; j < list.size(); j++) {
                    found.add(list.getJsonObject(j));
                }
            }
        }
        return found;
    }

    @Test
    void everyPullRequestExample() throws Exception {
        List<JsonObject> prs = examples("pull_request");
        assertTrue(prs.size() >= 20, "@octokit/webhooks-examples 7.6.1 has many pull_request examples");
        int building = 0;
        int closing = 0;
        for (JsonObject json : prs) {
            GitHubEvent.PullRequest pr = assertInstanceOf(GitHubEvent.PullRequest.class,
                    GitHubEventParser.parse("pull_request", json.toBuffer()));
            JsonObject head = json.getJsonObject("pull_request").getJsonObject("head");
            assertEquals(json.getString("action"), pr.action());
            assertEquals(json.getInteger("number"), pr.number());
            assertEquals(head.getString("sha"), pr.headSha());
            assertEquals(head.getString("ref"), pr.headRef());
            assertEquals(json.getJsonObject("repository").getString("full_name"), pr.repository().fullName());
            assertEquals(head.getJsonObject("repo").getString("full_name"), pr.headRepository());
            assertFalse(pr.fromFork(), "the examples' heads live in the base repository");
            assertEquals(Optional.ofNullable(json.getJsonObject("installation")).map(i -> i.getLong("id")),
                    pr.installationId());
            building += pr.building() ? 1 : 0;
            closing += pr.closing() ? 1 : 0;
        }
        assertEquals(7, building, "opened x4, reopened x2, synchronize x1");
        assertEquals(2, closing);
    }

    @Test
    void aPullRequestFromAnotherRepositoryIsAFork() throws Exception {
        JsonObject json = examples("pull_request").get(0).copy();
        JsonObject headRepo = json.getJsonObject("pull_request").getJsonObject("head").getJsonObject("repo");
        headRepo.put("id", headRepo.getLong("id") + 1).put("full_name", "someone-else/Hello-World");
        GitHubEvent.PullRequest pr = assertInstanceOf(GitHubEvent.PullRequest.class,
                GitHubEventParser.parse("pull_request", json.toBuffer()));
        assertTrue(pr.fromFork());
        json.getJsonObject("pull_request").getJsonObject("head").putNull("repo");
        assertTrue(((GitHubEvent.PullRequest) GitHubEventParser.parse("pull_request", json.toBuffer())).fromFork(),
                "a head whose repository is gone counts as a fork");
    }

    @Test
    void everyPushExample() throws Exception {
        List<JsonObject> pushes = examples("push");
        assertEquals(7, pushes.size(), "@octokit/webhooks-examples 7.6.1 has 7 push examples");
        int branches = 0;
        int tags = 0;
        int withInstallation = 0;
        for (JsonObject json : pushes) {
            GitHubEvent.Push push = assertInstanceOf(GitHubEvent.Push.class, GitHubEventParser.parse("push", json.toBuffer()));
            JsonObject repo = json.getJsonObject("repository");
            assertEquals(repo.getJsonObject("owner").getString("login"), push.repository().owner());
            assertEquals(repo.getString("name"), push.repository().name());
            assertEquals(repo.getString("full_name"), push.repository().fullName());
            assertEquals(repo.getLong("id"), push.repository().id());
            assertEquals(repo.getString("clone_url"), push.repository().cloneUrl());
            assertEquals(repo.getString("default_branch"), push.repository().defaultBranch());
            assertEquals(repo.getBoolean("private"), push.repository().isPrivate());
            String ref = json.getString("ref");
            assertEquals(ref, push.ref());
            if (ref.startsWith("refs/heads/")) {
                branches++;
                assertEquals(Optional.of(ref.substring("refs/heads/".length())), push.branch());
                assertFalse(push.tag());
                assertEquals(push.branch().get().equals(repo.getString("default_branch")), push.toDefaultBranch());
            } else {
                tags++;
                assertTrue(ref.startsWith("refs/tags/"));
                assertTrue(push.tag());
                assertEquals(Optional.empty(), push.branch());
                assertFalse(push.toDefaultBranch());
            }
            assertEquals(json.getString("after"), push.after());
            assertEquals(json.getString("before"), push.before());
            assertEquals(json.getBoolean("created"), push.created());
            assertEquals(json.getBoolean("deleted"), push.deleted());
            assertEquals(json.getBoolean("forced"), push.forced());
            if (push.deleted()) {
                assertEquals("0000000000000000000000000000000000000000", push.after());
            }
            JsonObject installation = json.getJsonObject("installation");
            if (installation != null) {
                withInstallation++;
                assertEquals(Optional.of(installation.getLong("id")), push.installationId());
            } else {
                assertEquals(Optional.empty(), push.installationId());
            }
            assertEquals(json.getJsonObject("pusher").getString("name"), push.pusher());
        }
        // The set covers branch and tag pushes, with and without an App installation.
        assertTrue(branches > 0 && tags > 0, "branches=" + branches + " tags=" + tags);
        assertTrue(withInstallation > 0 && withInstallation < pushes.size());
    }

    @Test
    void everyInstallationExample() throws Exception {
        List<JsonObject> installations = examples("installation");
        assertEquals(7, installations.size(), "@octokit/webhooks-examples 7.6.1 has 7 installation examples");
        for (JsonObject json : installations) {
            GitHubEvent.Installation event = assertInstanceOf(GitHubEvent.Installation.class,
                    GitHubEventParser.parse("installation", json.toBuffer()));
            JsonObject installation = json.getJsonObject("installation");
            assertEquals(json.getString("action"), event.action());
            assertEquals(installation.getLong("id"), event.installationId());
            assertEquals(installation.getJsonObject("account").getString("login"), event.account());
            assertEquals(installation.getJsonObject("account").getString("type"), event.accountType());
            assertRepositories(json.getJsonArray("repositories"), event.repositories());
        }
    }

    @Test
    void everyInstallationRepositoriesExample() throws Exception {
        List<JsonObject> changes = examples("installation_repositories");
        assertEquals(3, changes.size(), "@octokit/webhooks-examples 7.6.1 has 3 installation_repositories examples");
        for (JsonObject json : changes) {
            GitHubEvent.InstallationRepositories event = assertInstanceOf(GitHubEvent.InstallationRepositories.class,
                    GitHubEventParser.parse("installation_repositories", json.toBuffer()));
            assertEquals(json.getString("action"), event.action());
            assertEquals(json.getJsonObject("installation").getLong("id"), event.installationId());
            assertEquals(json.getJsonObject("installation").getJsonObject("account").getString("login"), event.account());
            assertRepositories(json.getJsonArray("repositories_added"), event.added());
            assertRepositories(json.getJsonArray("repositories_removed"), event.removed());
        }
    }

    @Test
    void everyPingExample() throws Exception {
        List<JsonObject> pings = examples("ping");
        assertEquals(4, pings.size(), "@octokit/webhooks-examples 7.6.1 has 4 ping examples");
        for (JsonObject json : pings) {
            GitHubEvent.Ping ping = assertInstanceOf(GitHubEvent.Ping.class, GitHubEventParser.parse("ping", json.toBuffer()));
            assertEquals(json.getString("zen"), ping.zen());
            assertEquals(json.getLong("hook_id"), ping.hookId());
        }
    }

    private static void assertRepositories(JsonArray expected, List<RepositoryRef> actual) {
        int size = expected == null ? 0 : expected.size();
        assertEquals(size, actual.size());
        for (int i = 0; i < size; i++) {
            JsonObject repo = expected.getJsonObject(i);
            RepositoryRef ref = actual.get(i);
            assertEquals(repo.getString("full_name"), ref.fullName());
            assertEquals(repo.getString("name"), ref.name());
            assertEquals(repo.getLong("id"), ref.id());
            assertEquals(repo.getBoolean("private"), ref.isPrivate());
        }
    }
}
