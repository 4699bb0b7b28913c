package dev.driftless.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reloads the server certificate without a restart: every interval it compares the files' modification
 * times and sizes with what is loaded and, when they differ, hands the new PEM content to
 * {@link HttpServer#updateSSLOptions}. New connections get the new certificate; open ones keep theirs.
 * A pair that does not load (say, the chain written but not the key yet) is retried on the next tick.
 * With the local CA it also renews the certificate shortly before it expires.
 */
final class CertificateWatcher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CertificateWatcher.class);
    private static final Duration RENEW_CHECK = Duration.ofHours(1);

    private final Vertx vertx;
    private final TlsFiles files;
    private final List<HttpServer> servers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong checks = new AtomicLong();
    private String loadedStamp;
    private String failedStamp; // warn once per bad file state, not on every tick
    private long lastRenewCheck = System.nanoTime();
    private long timer = -1;

    CertificateWatcher(Vertx vertx, TlsFiles files, List<HttpServer> servers, String loadedStamp) {
        this.vertx = vertx;
        this.files = files;
        this.servers = servers;
        this.loadedStamp = loadedStamp;
    }

    void start(Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void check() {
        if (!busy.compareAndSet(false, true)) {
            return; // the previous check is still reading or reloading
        }
        String[] seen = new String[1];
        vertx.executeBlocking(() -> {
            if (files.authority().isPresent() && System.nanoTime() - lastRenewCheck > RENEW_CHECK.toNanos()) {
                lastRenewCheck = System.nanoTime();
                files.authority().get().ensure();
            }
            String stamp = files.stamp();
            seen[0] = stamp;
            return stamp.equals(loadedStamp) ? null : new Loaded(stamp, files.read());
        }).compose(loaded -> loaded == null ? Future.succeededFuture() : apply(loaded))
                .onComplete(done -> {
                    if (done.failed() && (seen[0] == null || !seen[0].equals(failedStamp))) {
                        failedStamp = seen[0];
                        LOG.warn("event=gateway.certificate_reload_failed error=\"{}\" action=\"keeping the current certificate\"", done.cause().getMessage());
                    }
                    busy.set(false);
                    checks.incrementAndGet();
                });
    }

    /** Checks finished so far (loaded, unchanged or refused): a test waits for more of them instead of sleeping. */
    long checks() {
        return checks.get();
    }

    private Future<Void> apply(Loaded loaded) {
        ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(loaded.pem());
        List<Future<Boolean>> updates = servers.stream().map(server -> server.updateSSLOptions(options, true)).toList();
        return Future.all(updates).map(all -> {
            loadedStamp = loaded.stamp();
            LOG.info("event=gateway.certificate_reloaded file={}", files.chain());
            return null;
        });
    }

    private record Loaded(String stamp, PemKeyCertOptions pem) { }

    /** Where the certificate comes from: configured PEM files, or the local CA's. */
    record TlsFiles(Path chain, Path key, java.util.Optional<LocalCertificateAuthority> authority) {
        /** Changes whenever either file is replaced or rewritten. */
        String stamp() throws IOException {
            return Files.getLastModifiedTime(chain).toInstant() + ":" + Files.size(chain) + ":"
                    + Files.getLastModifiedTime(key).toInstant() + ":" + Files.size(key);
        }

        /** Reads both files and checks that the key belongs to the certificate before anyone serves them. */
        PemKeyCertOptions read() throws IOException, java.security.GeneralSecurityException {
            LocalCertificateAuthority.checkPair(LocalCertificateAuthority.readCertificate(chain),
                    LocalCertificateAuthority.readKey(key));
            return new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(chain)))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(key)));
        }
    }
}
