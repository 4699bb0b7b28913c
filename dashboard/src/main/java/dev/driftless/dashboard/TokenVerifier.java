package dev.driftless.dashboard;

import java.util.Optional;

/**
 * Turns a token (the admin token printed at first start, or an owner token from
 * {@code driftless token create}) into a principal. Blocking (store look-up); compares in constant time.
 */
@FunctionalInterface
public interface TokenVerifier {
    Optional<Principal> verify(String token);
}
