package dev.driftless.reliability;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calls each function through the HTTPS gateway all the time, across kills and restarts, and remembers the
 * newest version ("v17") each one answered: a function that later answers an older version broke "newest
 * wins" (an older commit served after a newer one). Errors while the daemon is down are expected and ignored.
 */
final class ServingMonitor implements AutoCloseable {
    private static final Pattern VERSION = Pattern.compile("v(\\d+)");

    private final HttpClient client;
    private final Map<String, String> endpoints;
    private final Map<String, Integer> newest = new ConcurrentHashMap<>();
    private final List<String> regressions = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long answers;

    /** @param endpoints function name -> URL of the function on the gateway */
    ServingMonitor(Path caCertificate, Map<String, String> endpoints) throws Exception {
        this.client = trusting(caCertificate);
        this.endpoints = Map.copyOf(endpoints);
        this.thread = new Thread(this::loop, "serving-monitor");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running) {
            for (Map.Entry<String, String> endpoint : endpoints.entrySet()) {
                try {
                    served(endpoint.getKey(), endpoint.getValue());
                } catch (Exception downOrStarting) {
                    // the daemon is being killed or restarted
                }
            }
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void served(String function, String url) throws Exception {
        OptionalInt version = call(url);
        if (version.isEmpty()) {
            return;
        }
        answers++;
        int v = version.getAsInt();
        Integer before = newest.get(function);
        if (before != null && v < before) {
            regressions.add(function + " answered v" + v + " after v" + before);
        }
        newest.merge(function, v, Math::max);
    }

    /** The version a function answers now, if it answers one. */
    OptionalInt call(String url) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("monitor")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = VERSION.matcher(response.body().strip());
        return response.statusCode() == 200 && m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    OptionalInt current(String function) throws Exception {
        return call(endpoints.get(function));
    }

    List<String> regressions() {
        return List.copyOf(regressions);
    }

    long answers() {
        return answers;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }

    static HttpClient trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry("driftless", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
    }
}
