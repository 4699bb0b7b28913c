package dev.driftless.reconciler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the daemon closes when it stops, in the order it was created: {@link #closeAll} closes the last
 * one first (what was made later may use what was made earlier, never the other way round), each exactly
 * once, a failure logged without stopping the rest.
 */
final class Closers {
    private static final Logger LOG = LoggerFactory.getLogger(Closers.class);

    private record Named(String name, AutoCloseable closer) {
    }

    private final List<Named> open = new ArrayList<>();
    private final List<String> closed = new ArrayList<>();

    synchronized void add(String name, AutoCloseable closer) {
        open.add(new Named(Objects.requireNonNull(name, "name"), Objects.requireNonNull(closer, "closer")));
    }

    /** Closes everything added so far, newest first; a later call closes only what was added since. */
    void closeAll() {
        while (true) {
            Named next;
            synchronized (this) {
                if (open.isEmpty()) {
                    return;
                }
                next = open.remove(open.size() - 1);
            }
            try {
                next.closer().close();
                LOG.debug("event=daemon.closed resource={}", next.name());
            } catch (Exception e) {
                LOG.warn("event=daemon.close_failed resource={} error=\"{}\"", next.name(), e.toString());
            }
            synchronized (this) {
                closed.add(next.name());
            }
        }
    }

    /** The names of what was closed, in the order it was closed. */
    synchronized List<String> closed() {
        return List.copyOf(closed);
    }
}
