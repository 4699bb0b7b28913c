package dev.driftless.builder;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkout over HTTP with a token: a real bare repository served over git's "dumb" HTTP protocol (JGit
 * walks objects from the wanted SHA), behind Basic auth that accepts only {@code x-access-token:<token>},
 * as GitHub does for installation tokens.
 */
class HttpCheckoutTest {
    static final String TOKEN = "ghs_test_installation_token_123";

    @TempDir
    Path tmp;
    HttpServer server;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    String serve(Path bare) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String expected = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        server.createContext("/alice/fns.git/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(auth));
            if (!expected.equals(auth)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            String rel = exchange.getRequestURI().getPath().substring("/alice/fns.git/".length());
            Path file = bare.resolve(rel).normalize();
            if (!file.startsWith(bare) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alice/fns.git";
    }

    @Test
    void testTokenIsSentAsXAccessTokenAndTheExactCommitIsBuilt() throws Exception {
        GitRepo src = GitRepo.init(tmp.resolve("src"));
        String old = src.write("stack.yml", "version: 1.0\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n")
                .write("hello/handler.txt", "old\n").commit("old");
        src.write("hello/handler.txt", "new\n").commit("new");
        Path bare = tmp.resolve("bare.git");
        src.git("clone", "-q", "--bare", src.dir.toString(), bare.toString());
        new GitRepo.Bare(bare).git("update-server-info");
        String url = serve(bare.toRealPath());

        Builder builder = new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve("cache"))
                .localImageStore(tmp.resolve("store")).templates(List.of(new FakeTemplate("python3"))).build());
        RecordingListener listener = new RecordingListener();
        BuildResult result = builder.build(new BuildRequest("alice", "fns", new RepoSource(url, Optional.of(TOKEN)), old, Map.of(), listener));
        ImageContents image = builder.imageSource().read(result.functions().get(0).image().orElseThrow(() -> new AssertionError(listener.all())));
        assertEquals("old\n", Layers.entries(image.layers().get(2)).get("home/app/function/handler.txt").text());
        assertEquals(url, image.labels().get("org.opencontainers.image.source"));
        assertTrue(authorizations.stream().anyMatch(a -> a.startsWith("Basic ")), authorizations.toString());
        assertFalse(listener.all().contains(TOKEN));
        assertTrue(listener.of("-").contains("fetched commit " + old.substring(0, 7) + " (shallow)"), listener.all());

        BuildException refused = assertThrows(BuildException.class, () -> builder.build(
                new BuildRequest("alice", "fns", new RepoSource(url, Optional.of("wrong-token-value")), old, Map.of(), BuildListener.discard())));
        assertTrue(refused.getMessage().startsWith("cannot fetch " + url), refused.getMessage());
        assertFalse(refused.getMessage().contains("wrong-token-value"));
    }
}
