package dev.driftless.status;

import javax.sql.DataSource;

/** The outbox contract on H2 in PostgreSQL mode, the embedded default. */
class H2OutboxTest extends OutboxContract {
    @Override
    DataSource newDatabase() {
        return TestDatabases.h2Memory();
    }
}
