/** An {@link dev.codex4j.ApprovalStore} on PostgreSQL through plain JDBC. */
module dev.codex4j.jdbc {
    requires transitive dev.codex4j;
    requires transitive java.sql;
    requires static org.jspecify;

    exports dev.codex4j.jdbc;
}
