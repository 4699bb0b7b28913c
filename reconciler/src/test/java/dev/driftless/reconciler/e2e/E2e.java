package dev.driftless.reconciler.e2e;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import dev.driftless.reconciler.app.FunctionsModule;
import dev.driftless.status.StatusSender;
import dev.driftless.testsupport.Await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Small helpers of the end-to-end tests: the system git, an HTTPS client trusting a CA, polling. */
final class E2e {
    private E2e() {
    }

    /** Runs the system git in {@code dir}; the token reaches it through a credential helper, not the URL. */
    static String git(Path dir, String token, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=E2E", "-c", "user.email=e2e@driftless.invalid",
                "-c", "commit.gpgsign=false", "-c", "credential.helper=",
                "-c", "credential.helper=!f() { echo username=e2e; echo \"password=$E2E_TOKEN\"; }; f"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("HOME", dir.toString());
        env.put("E2E_TOKEN", token == null ? "" : token);
        Process process = builder.start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + output);
        }
        return output;
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
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpResponse<String> post(HttpClient client, String url, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until {@code done} holds for what {@code probe} returns; fails with the last seen value after {@code limit}. */
    static void await(String what, Duration limit, Callable<Object> probe, java.util.function.Predicate<Object> done)
            throws Exception {
        AtomicReference<Object> last = new AtomicReference<>();
        try {
            Await.until(what, limit, Duration.ofMillis(250), () -> {
                try {
                    Object seen = probe.call();
                    last.set(seen);
                    return done.test(seen);
                } catch (IOException e) {
                    last.set(e.toString());
                    return false;
                } catch (Exception e) {
                    throw new IllegalStateException(what + ": the probe failed", e);
                }
            });
        } catch (AssertionError e) {
            fail(e.getMessage() + "; last: " + last.get());
        }
    }

    /**
     * Waits until the daemon's status sender has finished {@code n} more passes over the outbox than now: the
     * event that shows a status was not sent again, instead of a sleep (n - 1 whole passes began after now).
     */
    static void awaitStatusPasses(FunctionsModule functions, int n) throws InterruptedException {
        StatusSender sender = functions.statusSender().orElseThrow(() -> new AssertionError("no status sender"));
        long target = sender.passes() + n;
        Await.until(n + " more passes of the status sender", Duration.ofSeconds(60), () -> sender.passes() >= target);
    }
}
