package dev.driftless.reconciler;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Stops the daemon on SIGTERM or SIGINT before the JVM's shutdown begins. A shutdown hook alone races the store's:
 * H2 closes its database from a hook of its own (it cannot be turned off with {@code AUTO_SERVER}), so a job that
 * finished while the daemon drained could not record its outcome and ran a second time after its lease. Handling
 * the signal first closes the daemon (jobs drained, store last) and only then lets the JVM exit. The shutdown hook
 * stays for every other way out; closing twice is a no-op.
 */
public final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private GracefulStop() {
    }

    /** Installs the handlers and the hook; returns a latch that opens once {@code daemon} is closed. */
    public static CountDownLatch install(Daemon daemon) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            daemon.close();
            stopped.countDown();
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> new Thread(stop, "driftless-stop-" + name).start());
            } catch (IllegalArgumentException e) {
                // A signal the JVM keeps for itself (e.g. with -Xrs): the shutdown hook below still stops the daemon.
                LOG.warn("event=signal_handler_unavailable signal={} error=\"{}\"", name, e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "driftless-shutdown"));
        return stopped;
    }
}
