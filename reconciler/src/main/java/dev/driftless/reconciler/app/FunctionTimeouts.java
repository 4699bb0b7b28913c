package dev.driftless.reconciler.app;

import dev.driftless.gateway.FunctionAddress;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-function request time limits, as OpenFaaS users set them: {@code exec_timeout} in the function's
 * {@code environment} in stack.yml ({@code 30s}, {@code 2m}, {@code 1m30s}, or plain seconds). Kept in
 * memory and updated as functions are deployed, because the gateway asks on every request, on its
 * event loop.
 */
final class FunctionTimeouts {
    static final String VARIABLE = "exec_timeout";
    private static final Duration MAX = Duration.ofMinutes(15);

    private final Map<FunctionAddress, Duration> limits = new ConcurrentHashMap<>();

    Optional<Duration> lookup(FunctionAddress address) {
        return Optional.ofNullable(limits.get(address));
    }

    /** Records the function's limit from its environment, or forgets it when the environment sets none. */
    void deployed(String owner, String function, Map<String, String> environment) {
        if (!FunctionAddress.isLabel(owner) || !FunctionAddress.isLabel(function)) {
            return;
        }
        FunctionAddress address = new FunctionAddress(owner, function);
        Optional<Duration> limit = parse(environment.get(VARIABLE));
        if (limit.isPresent()) {
            limits.put(address, limit.get());
        } else {
            limits.remove(address);
        }
    }

    void removed(String owner, String function) {
        if (FunctionAddress.isLabel(owner) && FunctionAddress.isLabel(function)) {
            limits.remove(new FunctionAddress(owner, function));
        }
    }

    /** A positive duration up to 15 minutes; anything else means "use the gateway's default". */
    static Optional<Duration> parse(String text) {
        return OpenFaasDuration.parse(text).filter(d -> d.compareTo(MAX) <= 0);
    }
}
