package dev.driftless.dashboard;

import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The daemon's session store is a database, and JDBC blocks: every call the dashboard makes into its
 * store must run on the worker pool, never on an event loop. A store that notes the thread of each call
 * watches a login, pages, a logout and both GitHub routes.
 */
class SessionStoreThreadsTest {
    private final Set<String> onEventLoop = ConcurrentHashMap.newKeySet();
    private final Set<String> onWorkers = ConcurrentHashMap.newKeySet();
    private Vertx vertx;

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theDashboardCallsItsSessionStoreOnlyFromTheWorkerPool() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // GitHub itself is never reached: the callback below is refused at its state.
        GitHubOAuth oauth = new GitHubOAuth("Iv1.client", "secret", URI.create("http://127.0.0.1:9"),
                URI.create("http://127.0.0.1:9/api/v3"),
                URI.create("http://127.0.0.1:" + server.actualPort() + GitHubOAuth.CALLBACK_PATH));
        new Dashboard(new InMemoryDashboardData(), DashboardTest.tokens(), p -> List.copyOf(p.owners()),
                Optional.of(oauth), new WatchedStore(new InMemorySessionStore(Clock.systemUTC()))).mount(vertx, router);
        WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(server.actualPort()).setFollowRedirects(false));

        HttpResponse<Buffer> login = client.post("/login")
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("token", DashboardTest.ALICE)).await();
        assertEquals(303, login.statusCode());
        String session = login.cookies().get(0).substring(0, login.cookies().get(0).indexOf(';'));
        String page = client.get("/dashboard/alice").putHeader("Cookie", session).send().await().bodyAsString();
        String csrf = page.replaceAll("(?s).*name=\"csrf\" value=\"([^\"]+)\".*", "$1");
        assertEquals(303, client.post("/logout").putHeader("Cookie", session)
                .sendForm(MultiMap.caseInsensitiveMultiMap().add("csrf", csrf)).await().statusCode());
        assertEquals(303, client.get("/login/github").send().await().statusCode());
        assertEquals(400, client.get("/login/github/callback?code=c&state=from-github")
                .putHeader("Cookie", GitHubSignIn.STATE_COOKIE + "=another").send().await().statusCode());

        assertEquals(Set.of(), onEventLoop, "store calls made on an event loop");
        assertEquals(Set.of("create", "find", "remove", "issueState", "consumeState"), onWorkers);
    }

    /** Passes every call on, noting whether it came from an event loop. */
    private final class WatchedStore implements SessionStore {
        private final SessionStore store;

        WatchedStore(SessionStore store) {
            this.store = store;
        }

        private <T> T watch(String call, Supplier<T> work) {
            (Context.isOnEventLoopThread() ? onEventLoop : onWorkers).add(call);
            return work.get();
        }

        @Override
        public Session create(Principal principal, Duration lifetime) {
            return watch("create", () -> store.create(principal, lifetime));
        }

        @Override
        public Optional<Session> find(String id) {
            return watch("find", () -> store.find(id));
        }

        @Override
        public void remove(String id) {
            watch("remove", () -> {
                store.remove(id);
                return null;
            });
        }

        @Override
        public int expire() {
            return watch("expire", store::expire);
        }

        @Override
        public Optional<String> issueState(Duration lifetime) {
            return watch("issueState", () -> store.issueState(lifetime));
        }

        @Override
        public boolean consumeState(String state) {
            return watch("consumeState", () -> store.consumeState(state));
        }
    }
}
