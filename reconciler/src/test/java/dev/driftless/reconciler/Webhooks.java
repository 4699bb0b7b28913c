package dev.driftless.reconciler;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/** Signed GitHub deliveries for tests, as GitHub sends them. */
public final class Webhooks {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Webhooks() { }

    public static String push(String owner, String repo, String branch, String after) {
        return """
                {"ref":"refs/heads/%s","before":"0000000000000000000000000000000000000000","after":"%s",\
                "created":false,"deleted":false,"forced":false,\
                "repository":{"id":42,"name":"%s","full_name":"%s/%s","private":false,\
                "owner":{"login":"%s","name":"%s"},"clone_url":"https://github.com/%s/%s.git","default_branch":"main"},\
                "pusher":{"name":"%s"},"installation":{"id":7}}""".formatted(branch, after, repo, owner, repo, owner, owner,
                owner, repo, owner);
    }

    public static String signature(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    public static HttpResponse<String> send(int port, String secret, String event, String deliveryId, String body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", signature(secret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
