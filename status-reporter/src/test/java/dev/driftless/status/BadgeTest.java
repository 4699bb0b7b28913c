package dev.driftless.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class BadgeTest {
    private static final Map<String, CommitStatus.State> STATES = new ConcurrentHashMap<>();
    private static final List<String> READ_ON = new ArrayList<>();
    private static Vertx vertx;
    private static HttpServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServer() throws Exception {
        STATES.put("alice/fns/driftless/stack", CommitStatus.State.SUCCESS);
        STATES.put("alice/fns/driftless/hello", CommitStatus.State.FAILURE);
        STATES.put("alice/fns/driftless/resize", CommitStatus.State.PENDING);
        STATES.put("alice/fns/driftless/oops", CommitStatus.State.ERROR);
        BadgeStates states = (owner, repo, context) -> {
            synchronized (READ_ON) {
                READ_ON.add(Thread.currentThread().getName() + (Context.isOnEventLoopThread() ? " (event loop)" : ""));
            }
            return Optional.ofNullable(STATES.get(owner + "/" + repo + "/" + context));
        };
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        BadgeHandler.create(vertx, states).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0).await(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopServer() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> get(String path, String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path));
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** The message text and the colour of the message half, read from the parsed SVG. */
    static void assertBadge(String svg, String message, String colour) throws Exception {
        Document doc = parse(svg);
        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals("driftless: " + message, root.getAttribute("aria-label"));
        NodeList texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        assertEquals(4, texts.getLength());
        assertEquals("driftless", texts.item(1).getTextContent());
        assertEquals(message, texts.item(3).getTextContent());
        NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
        Element label = (Element) rects.item(1);
        Element value = (Element) rects.item(2);
        assertEquals("#555", label.getAttribute("fill"));
        assertEquals(colour, value.getAttribute("fill"));
        int width = Integer.parseInt(root.getAttribute("width"));
        assertEquals(width, Integer.parseInt(label.getAttribute("width")) + Integer.parseInt(value.getAttribute("width")));
    }

    @Test
    void everyStateRendersAsValidSvgWithItsMessageAndColour() throws Exception {
        assertBadge(BadgeRenderer.render(BadgeRenderer.Badge.PASSING), "passing", "#4c1");
        assertBadge(BadgeRenderer.render(BadgeRenderer.Badge.FAILING), "failing", "#e05d44");
        assertBadge(BadgeRenderer.render(BadgeRenderer.Badge.BUILDING), "building", "#dfb317");
        assertBadge(BadgeRenderer.render(BadgeRenderer.Badge.UNKNOWN), "unknown", "#9f9f9f");
        assertEquals(BadgeRenderer.Badge.FAILING, BadgeRenderer.Badge.of(Optional.of(CommitStatus.State.ERROR)));
        assertTrue(BadgeRenderer.textWidth("building") > BadgeRenderer.textWidth("failing"));
        assertTrue(BadgeRenderer.textWidth("mmmm") > BadgeRenderer.textWidth("iiii"));
    }

    @Test
    void textIsEscaped() throws Exception {
        String svg = BadgeRenderer.render("a<b>&\"c'", "x\u0001y", "#123");
        Document doc = parse(svg);
        NodeList texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        assertEquals("a<b>&\"c'", texts.item(1).getTextContent());
        assertEquals("x\uFFFDy", texts.item(3).getTextContent());
    }

    @Test
    void repositoryAndFunctionBadgesOverHttp() throws Exception {
        HttpResponse<String> repo = get("/badge/alice/fns.svg", null);
        assertEquals(200, repo.statusCode());
        assertEquals("image/svg+xml; charset=utf-8", repo.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache", repo.headers().firstValue("Cache-Control").orElseThrow());
        assertBadge(repo.body(), "passing", "#4c1");
        assertBadge(get("/badge/alice/fns/hello.svg", null).body(), "failing", "#e05d44");
        assertBadge(get("/badge/alice/fns/resize.svg", null).body(), "building", "#dfb317");
        assertBadge(get("/badge/alice/fns/oops.svg", null).body(), "failing", "#e05d44");
        synchronized (READ_ON) {
            assertFalse(READ_ON.isEmpty());
            assertTrue(READ_ON.stream().allMatch(t -> t.startsWith("driftless-badges")), "read on the badge pool: " + READ_ON);
        }
    }

    @Test
    void unknownRepositoriesGetTheUnknownBadgeNotAnErrorPage() throws Exception {
        for (String path : new String[] {"/badge/nobody/nothing.svg", "/badge/alice/fns/missing.svg", "/badge/-bad-/x.svg"}) {
            HttpResponse<String> response = get(path, null);
            assertEquals(200, response.statusCode(), path);
            assertBadge(response.body(), "unknown", "#9f9f9f");
        }
    }

    @Test
    void etagAndIfNoneMatchGive304UntilTheStateChanges() throws Exception {
        HttpResponse<String> first = get("/badge/alice/fns.svg", null);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]{32}\""), etag);
        HttpResponse<String> again = get("/badge/alice/fns.svg", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(etag, again.headers().firstValue("ETag").orElseThrow());
        assertEquals(304, get("/badge/alice/fns.svg", "\"other\", W/" + etag).statusCode());

        STATES.put("alice/fns/driftless/stack", CommitStatus.State.PENDING);
        try {
            HttpResponse<String> changed = get("/badge/alice/fns.svg", etag);
            assertEquals(200, changed.statusCode());
            assertNotEquals(etag, changed.headers().firstValue("ETag").orElseThrow());
            assertBadge(changed.body(), "building", "#dfb317");
        } finally {
            STATES.put("alice/fns/driftless/stack", CommitStatus.State.SUCCESS);
        }
    }

    @Test
    void aFullWorkerQueueAnswers503InsteadOfQueueingWithoutBound() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        BadgeStates slow = (owner, repo, context) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of(CommitStatus.State.SUCCESS);
        };
        io.vertx.core.WorkerExecutor pool = vertx.createSharedWorkerExecutor("driftless-badges-test", 1);
        Router router = Router.router(vertx);
        new BadgeHandler(slow, pool, 1).mount(router);
        HttpServer small = vertx.createHttpServer().requestHandler(router).listen(0).await(10, TimeUnit.SECONDS);
        try {
            URI uri = URI.create("http://127.0.0.1:" + small.actualPort() + "/badge/alice/fns.svg");
            var first = http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the first read holds the only slot");
            HttpResponse<String> second = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, second.statusCode());
            assertBadge(second.body(), "unknown", "#9f9f9f");
            release.countDown();
            HttpResponse<String> firstResponse = first.get(10, TimeUnit.SECONDS);
            assertEquals(200, firstResponse.statusCode());
            assertBadge(firstResponse.body(), "passing", "#4c1");
        } finally {
            release.countDown();
            small.close().await(10, TimeUnit.SECONDS);
            pool.close();
        }
    }
}
