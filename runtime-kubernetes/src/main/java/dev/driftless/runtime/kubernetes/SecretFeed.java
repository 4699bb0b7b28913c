package dev.driftless.runtime.kubernetes;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the values of owners' secrets come from (the daemon's encrypted store). With a feed, the runtime
 * writes each secret a function names as a Secret in {@code fn-<owner>} before rolling the function out;
 * without one it only references Secrets made by hand, as before.
 */
@FunctionalInterface
public interface SecretFeed {
    /** The value, or empty when the owner has no secret of that name. Blocking. */
    Optional<byte[]> read(String owner, String name) throws IOException;
}
