package dev.codex4j.jdbc;

import dev.codex4j.ApprovalStore;
import dev.codex4j.PendingApproval;
import dev.codex4j.StoredApproval;
import dev.codex4j.errors.CodexException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ApprovalStore} on PostgreSQL, through plain JDBC: every instance of a backend that
 * shares the database lists and resolves every pending approval.
 *
 * <p>Two tables (created if missing, {@link #schema(String)}): {@code <prefix>approval}, one row
 * per approval with exactly what {@link StoredApproval} holds (kind, ids, summary, offered
 * decisions, times, state, decision name, reason), and {@code <prefix>approval_owner}, one lease
 * per instance. The guarantees, all enforced by the database:
 * <ul>
 *   <li><b>one winner</b>: a settlement is {@code UPDATE ... SET state = ? WHERE id = ? AND state =
 *       'pending'}; PostgreSQL's row lock makes exactly one of concurrent updates see the row
 *       pending, the others update nothing;
 *   <li><b>deadlines once</b>: a resolve also needs {@code deadline > now()} (the database's
 *       clock, the deadline set from it at insert), and only the owner marks one expired, by the
 *       same conditional update; so a late resolve and the expiry cannot both win;
 *   <li><b>leases</b>: an owner renews {@code lease_until = now() + ttl}; every listing and every
 *       renewal first cancels the pending approvals of owners whose lease has run out (or who hold
 *       none), so an instance that died leaves none pending longer than its lease time;
 *   <li>settled rows are deleted a day after they settled.
 * </ul>
 *
 * <p>Why plain JDBC and no ORM or query library: six statements on two tables, each of which must
 * be exactly the conditional update it is; a mapping layer would add a dependency and hide them.
 * The PostgreSQL driver (42.7.x) comes as a runtime dependency; the SQL is PostgreSQL's
 * ({@code timestamptz}, {@code ON CONFLICT}).
 *
 * <p>Threads: thread-safe; each call borrows a connection from the {@link DataSource} (use a pool in
 * production) in auto-commit mode, and blocks for its statement.
 *
 * <pre>{@code
 * ApprovalStore store = JdbcApprovalStore.builder(dataSource).leaseTtl(Duration.ofSeconds(30)).build();
 * ApprovalInbox inbox = ApprovalInbox.builder().store(store).build();
 * }</pre>
 */
public final class JdbcApprovalStore implements ApprovalStore {
    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final String CANCELLED_LEASE = "its owner's lease expired (the instance holding it stopped)";

    private final DataSource dataSource;
    private final String owner;
    private final Duration leaseTtl;
    private final String approvals;
    private final String owners;

    private JdbcApprovalStore(Builder b) {
        this.dataSource = b.dataSource;
        this.owner = b.owner;
        this.leaseTtl = b.leaseTtl;
        this.approvals = b.prefix + "approval";
        this.owners = b.prefix + "approval_owner";
    }

    /**
     * @param dataSource where the PostgreSQL database is
     * @return a builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * @param prefix the tables' prefix ({@code codex4j_} by default)
     * @return the DDL the store runs at build when {@link Builder#createSchema} is on (idempotent),
     *     for a migration tool otherwise
     */
    public static List<String> schema(String prefix) {
        checkPrefix(prefix);
        String a = prefix + "approval";
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + prefix + "approval_owner (owner text PRIMARY KEY,"
                        + " lease_until timestamptz NOT NULL)",
                "CREATE TABLE IF NOT EXISTS " + a + " (id text PRIMARY KEY, owner text NOT NULL, kind text NOT NULL,"
                        + " request_id text NOT NULL, thread_id text, turn_id text, summary text NOT NULL,"
                        + " offered text NOT NULL, received_at timestamptz NOT NULL, deadline timestamptz NOT NULL,"
                        + " state text NOT NULL CHECK (state IN ('pending', 'resolved', 'expired', 'cancelled')),"
                        + " decision text, reason text, settled_at timestamptz)",
                "CREATE INDEX IF NOT EXISTS " + a + "_pending ON " + a + " (owner) WHERE state = 'pending'");
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public Duration leaseTtl() {
        return leaseTtl;
    }

    @Override
    public void add(StoredApproval a) {
        long millis = Math.max(0, Duration.between(a.receivedAt(), a.deadline()).toMillis());
        update("add " + a.id(), "INSERT INTO " + approvals + " (id, owner, kind, request_id, thread_id, turn_id, summary,"
                + " offered, received_at, deadline, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(),"
                + " now() + ? * interval '1 millisecond', 'pending')",
                a.id(), owner, a.kind(), a.requestId(), a.threadId(), a.turnId(), a.summary(),
                String.join(",", a.offeredDecisions()), millis);
    }

    @Override
    public boolean settle(String id, PendingApproval.State state, @Nullable String decision, String reason) {
        if (state == PendingApproval.State.PENDING) {
            throw new IllegalArgumentException("an approval is settled as resolved, expired or cancelled, not pending");
        }
        return update("settle " + id, "UPDATE " + approvals + " SET state = ?, decision = ?, reason = ?, settled_at = now()"
                + " WHERE id = ? AND state = 'pending'" + (state == PendingApproval.State.RESOLVED ? " AND deadline > now()" : ""),
                state.name().toLowerCase(Locale.ROOT), decision, reason, id) == 1;
    }

    @Override
    public List<StoredApproval> pending() {
        cancelOrphans();
        return query("list the pending approvals", "SELECT * FROM " + approvals + " WHERE state = 'pending'"
                + " ORDER BY received_at, id");
    }

    @Override
    public Optional<StoredApproval> find(String id) {
        return query("find " + id, "SELECT * FROM " + approvals + " WHERE id = ?", id).stream().findFirst();
    }

    @Override
    public List<StoredApproval> settled(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return query("read settled approvals", "SELECT * FROM " + approvals + " WHERE id = ANY (?) AND state <> 'pending'",
                (Object) ids.toArray(String[]::new));
    }

    @Override
    public void renewLease() {
        update("renew the lease of " + owner, "INSERT INTO " + owners + " (owner, lease_until) VALUES (?, now() + ? *"
                + " interval '1 millisecond') ON CONFLICT (owner) DO UPDATE SET lease_until = EXCLUDED.lease_until",
                owner, leaseTtl.toMillis());
        cancelOrphans();
        update("delete old approvals", "DELETE FROM " + approvals + " WHERE state <> 'pending'"
                + " AND settled_at < now() - interval '1 day'");
    }

    /** Ends this instance's lease and cancels its pending approvals. Throws nothing. */
    @Override
    public void close() {
        try {
            update("end the lease of " + owner, "UPDATE " + approvals + " SET state = 'cancelled', reason = ?,"
                    + " settled_at = now() WHERE owner = ? AND state = 'pending'", "its owner closed", owner);
            update("end the lease of " + owner, "DELETE FROM " + owners + " WHERE owner = ?", owner);
        } catch (CodexException e) {
            System.getLogger(JdbcApprovalStore.class.getName()).log(System.Logger.Level.WARNING,
                    "Could not end the approval lease of " + owner + "; it runs out by itself in " + leaseTtl, e);
        }
    }

    /** Cancels the pending approvals of owners without a live lease. */
    private void cancelOrphans() {
        update("cancel orphaned approvals", "UPDATE " + approvals + " a SET state = 'cancelled', reason = ?,"
                + " settled_at = now() WHERE state = 'pending' AND NOT EXISTS (SELECT 1 FROM " + owners + " o"
                + " WHERE o.owner = a.owner AND o.lease_until > now())", CANCELLED_LEASE);
    }

    private void createSchema(String prefix) {
        for (int attempt = 0;; attempt++) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                for (String ddl : schema(prefix)) {
                    s.execute(ddl);
                }
                return;
            } catch (SQLException e) {
                // two instances creating the tables at once: PostgreSQL may refuse the second
                // CREATE ... IF NOT EXISTS with a unique violation (23505); the tables exist then
                if (attempt == 0 && "23505".equals(e.getSQLState())) {
                    continue;
                }
                throw failed("create the approval tables", e);
            }
        }
    }

    private int update(String what, String sql, @Nullable Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    private List<StoredApproval> query(String what, String sql, @Nullable Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = prepare(c, sql, args);
                ResultSet r = s.executeQuery()) {
            List<StoredApproval> out = new ArrayList<>();
            while (r.next()) {
                String offered = r.getString("offered");
                out.add(new StoredApproval(r.getString("id"), r.getString("owner"), r.getString("kind"),
                        r.getString("request_id"), r.getString("thread_id"), r.getString("turn_id"),
                        r.getString("summary"), offered.isEmpty() ? List.of() : Arrays.asList(offered.split(",")),
                        r.getTimestamp("received_at").toInstant(), r.getTimestamp("deadline").toInstant(),
                        PendingApproval.State.valueOf(r.getString("state").toUpperCase(Locale.ROOT)),
                        r.getString("decision"), r.getString("reason")));
            }
            return out;
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, @Nullable Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object v = args[i];
                if (v instanceof String[] array) {
                    s.setArray(i + 1, c.createArrayOf("text", array));
                } else if (v instanceof Timestamp t) {
                    s.setTimestamp(i + 1, t);
                } else {
                    s.setObject(i + 1, v);
                }
            }
            return s;
        } catch (SQLException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private CodexException failed(String what, SQLException e) {
        return new CodexException("The approval store (" + owner + ") could not " + what + ": " + e.getMessage()
                + " (SQLState " + e.getSQLState() + ")", e);
    }

    private static void checkPrefix(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a table prefix is lower-case letters, digits and _: " + prefix);
        }
    }

    /**
     * Builds a {@link JdbcApprovalStore}.
     *
     * <pre>{@code
     * JdbcApprovalStore store = JdbcApprovalStore.builder(dataSource).owner("backend-1").build();
     * }</pre>
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String owner = defaultOwner();
        private Duration leaseTtl = Duration.ofSeconds(30);
        private String prefix = "codex4j_";
        private boolean createSchema = true;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        private static String defaultOwner() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "host";
            }
            return host + "-" + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
        }

        /**
         * @return this, with this instance's name: unique among the instances sharing the database
         *     (by default host name, process id and a random suffix)
         */
        public Builder owner(String owner) {
            if (Objects.requireNonNull(owner, "owner").isBlank() || owner.contains(":")) {
                throw new IllegalArgumentException("an owner is a non-blank name without ':': '" + owner + "'");
            }
            this.owner = owner;
            return this;
        }

        /**
         * @return this, with how long this instance's lease lasts unrenewed (30 s): the longest an
         *     approval of an instance that died stays pending
         */
        public Builder leaseTtl(Duration ttl) {
            if (Objects.requireNonNull(ttl, "ttl").toMillis() < 300) {
                throw new IllegalArgumentException("leaseTtl must be at least 300 ms: " + ttl);
            }
            this.leaseTtl = ttl;
            return this;
        }

        /** @return this, with the tables' prefix ({@code codex4j_}) */
        public Builder tablePrefix(String prefix) {
            checkPrefix(prefix);
            this.prefix = prefix;
            return this;
        }

        /** @return this, creating the tables if missing at build (on by default) */
        public Builder createSchema(boolean create) {
            this.createSchema = create;
            return this;
        }

        /**
         * @return the store (its tables created when asked)
         * @throws CodexException when the database cannot be reached
         */
        public JdbcApprovalStore build() {
            JdbcApprovalStore store = new JdbcApprovalStore(this);
            if (createSchema) {
                store.createSchema(prefix);
            }
            return store;
        }
    }
}
