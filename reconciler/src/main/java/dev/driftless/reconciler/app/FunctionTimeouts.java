package dev.driftless.reconciler.app;

import dev.driftless.gateway.FunctionAddress;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-function request time limits, as OpenFaaS users set them: {@code exec_timeout} in the function's
 * {@code environment} in stack.yml ({@code 30s}, {@code 2m}, {@code 1m30s}, or plain seconds). Kept in
 * memory and updated as functions are deployed, because the gateway asks on every request, on its
 * event loop.
 */
final class FunctionTimeouts {
    static final String VARIABLE = "exec_timeout";
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
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
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        Duration duration;
        if (value.matches("\\d{1,6}")) {
            duration = Duration.ofSeconds(Long.parseLong(value));
        } else {
            Matcher m = DURATION.matcher(value);
            if (!m.matches() || value.isEmpty()) {
                return Optional.empty();
            }
            duration = Duration.ofHours(number(m.group(1))).plusMinutes(number(m.group(2))).plusSeconds(number(m.group(3)));
        }
        if (duration.isZero() || duration.compareTo(MAX) > 0) {
            return Optional.empty();
        }
        return Optional.of(duration);
    }

    private static long number(String group) {
        return group == null ? 0 : Long.parseLong(group);
    }
}
