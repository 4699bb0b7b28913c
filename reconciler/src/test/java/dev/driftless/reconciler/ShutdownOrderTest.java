package dev.driftless.reconciler;

import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Daemon#close} closes what modules registered in reverse order of registration, once, and the store last. */
class ShutdownOrderTest {
    @TempDir
    Path dir;

    @Test
    void modulesCloseInReverseOrderOfRegistrationWhileTheStoreIsStillOpenAndTheStoreClosesLast() throws Exception {
        List<String> closed = new CopyOnWriteArrayList<>();
        DaemonContext[] seen = new DaemonContext[1];
        DaemonModule module = context -> {
            seen[0] = context;
            for (String name : List.of("first", "second", "third")) {
                context.onStop(name, () -> {
                    try (Connection connection = context.database().dataSource().getConnection()) {
                        connection.createStatement().execute("SELECT 1"); // the store is still open
                    }
                    closed.add(name);
                });
            }
        };
        DriftlessConfig config = new ConfigLoader(Map.of("DRIFTLESS_DATA", dir.resolve("data").toString(),
                "DRIFTLESS_HTTP_PORT", "0", "DRIFTLESS_WORKERS", "1")).load(Optional.empty());
        Daemon daemon = Daemon.start(config, List.of(module));
        daemon.close();
        daemon.close();

        assertEquals(List.of("third", "second", "first"), closed, "reverse order of registration, once");
        List<String> order = daemon.closedInOrder();
        assertEquals("store", order.get(order.size() - 1), order.toString());
        assertEquals(List.of("third", "second", "first"), order.subList(0, 3), order.toString());
        assertThrows(SQLException.class, () -> seen[0].database().dataSource().getConnection());
    }
}
