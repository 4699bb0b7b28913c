package dev.driftless.status;

import dev.driftless.testsupport.RealComponent;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;

/**
 * The outbox contract on a real PostgreSQL 15 (started by {@code scripts/test.sh}), where two replicas
 * claim with {@code FOR UPDATE SKIP LOCKED}. Skipped without it, failed without it under CI=true.
 */
class PostgresOutboxTest extends OutboxContract {
    private static String url;

    @BeforeAll
    static void requirePostgres() {
        url = RealComponent.POSTGRES.require();
    }

    @Override
    DataSource newDatabase() {
        return TestDatabases.postgres(url);
    }
}
