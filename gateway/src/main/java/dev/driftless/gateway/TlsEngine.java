package dev.driftless.gateway;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

import java.util.Locale;

/**
 * Which TLS implementation the gateway's HTTPS port uses. OpenSSL is BoringSSL through
 * {@code netty-tcnative-boringssl-static} (shipped for x86-64 Linux): the same protocol and certificates as the
 * JDK's engine, several times less CPU per handshake and per record, which is most of the gateway's work.
 */
public enum TlsEngine {
    /** OpenSSL when its native library loads on this machine, otherwise the JDK's engine. */
    AUTO,
    /** OpenSSL or fail at start (when the native library does not load here). */
    OPENSSL,
    /** The JDK's own {@code SSLEngine}. */
    JDK;

    /** The engine this choice means on this machine: OPENSSL or JDK, never AUTO. */
    public TlsEngine resolved() {
        return switch (this) {
            case AUTO -> OpenSSLEngineOptions.isAvailable() ? OPENSSL : JDK;
            case OPENSSL -> {
                if (!OpenSSLEngineOptions.isAvailable()) {
                    throw new IllegalStateException("the OpenSSL TLS engine was asked for but netty-tcnative does not load here",
                            io.netty.handler.ssl.OpenSsl.unavailabilityCause());
                }
                yield OPENSSL;
            }
            case JDK -> JDK;
        };
    }

    SSLEngineOptions options() {
        // Session tickets/cache stay as each engine does them by default; only the implementation differs.
        return resolved() == OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
    }

    /** Lower-case name, as in logs and settings. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
