package dev.driftless.runtime.local;

import java.util.Map;

/** Turns a launch into an OS process command: bubblewrap where installed, a plain process otherwise. */
interface Sandbox {
    /**
     * A process builder whose environment holds nothing of the daemon's: only the launch's environment and
     * {@code PORT}. (Clearing matters even under bubblewrap: its own pid 1 inside the sandbox keeps the
     * environment it was started with, readable at {@code /proc/1/environ}.)
     */
    ProcessBuilder command(Launch launch, int port);

    /** Whether {@code process} is the sandbox's own wrapper (bubblewrap) rather than the function. */
    boolean wraps(ProcessHandle process);

    /** {@code bubblewrap} or {@code plain}, for logs. */
    String kind();

    /**
     * Called right after the process started: connects its network namespace to the host (pasta as root) and
     * returns the helper process, which lives as long as the instance. Empty when nothing is needed.
     */
    default java.util.Optional<ProcessHandle> attach(Process process, int port) throws java.io.IOException,
            InterruptedException {
        return java.util.Optional.empty();
    }

    static Map<String, String> environment(Launch launch, int port) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.putAll(launch.environment());
        env.put("PORT", Integer.toString(port));
        return env;
    }
}
