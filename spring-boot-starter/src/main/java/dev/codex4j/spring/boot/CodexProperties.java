package dev.codex4j.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code codex.*} properties: how the starter builds its {@link dev.codex4j.Codex} (or, with
 * {@code codex.endpoints} or {@code codex.dns.name}, its {@link dev.codex4j.CodexFleet}). Unset
 * values keep the SDK's defaults. Immutable records, bound once at startup by Spring (constructor
 * binding); a group that is not set at all is its empty form, never null.
 *
 * @param enabled Whether to auto-configure a Codex client.
 * @param codexPath The Codex CLI to run (default: the pinned CLI, found or installed by the SDK).
 * @param cwd The working directory of the app-server child.
 * @param config Config overrides passed as "-c key=value" to the app-server child; values are TOML ("'gpt-5'", "true").
 * @param env Environment variables of the app-server child.
 * @param url An app-server that already runs (ws://, wss:// or unix://) instead of a child.
 * @param auth How to authenticate to {@code codex.url}.
 * @param requestTimeout How long a request waits for its reply.
 * @param handshakeTimeout How long the initialize handshake may take.
 * @param closeTimeout How long closing waits for the child to exit before killing it.
 * @param turnWatchdog A turn silent for this long fails (off when unset).
 * @param supervision Restart (or reconnect) a lost app-server.
 * @param admission Turn admission of each client.
 * @param endpoints Several app-servers: the starter builds a CodexFleet with one endpoint each (not with {@code codex.dns.name}).
 * @param dns The endpoints of a CodexFleet found by a DNS name, re-resolved at an interval (not with {@code codex.endpoints}).
 * @param fleet Placement limits of the fleet (with {@code codex.endpoints} or {@code codex.dns.name}).
 * @param shutdown Graceful shutdown of the client with the application context.
 * @param health The Actuator health indicator.
 */
@ConfigurationProperties(prefix = "codex")
public record CodexProperties(
        @DefaultValue("true") boolean enabled,
        @Nullable Path codexPath,
        @Nullable Path cwd,
        Map<String, String> config,
        Map<String, String> env,
        @Nullable URI url,
        @DefaultValue Auth auth,
        @Nullable Duration requestTimeout,
        @Nullable Duration handshakeTimeout,
        @Nullable Duration closeTimeout,
        @Nullable Duration turnWatchdog,
        @DefaultValue Supervision supervision,
        Admission admission,
        List<Endpoint> endpoints,
        @DefaultValue Dns dns,
        @DefaultValue Fleet fleet,
        @DefaultValue Shutdown shutdown,
        @DefaultValue Health health) {

    /** Unset groups and collections become their empty forms (for code that builds the record itself). */
    public CodexProperties {
        config = config == null ? Map.of() : Map.copyOf(config);
        env = env == null ? Map.of() : Map.copyOf(env);
        auth = auth == null ? Auth.NONE : auth;
        supervision = supervision == null ? new Supervision(false, null, null, null, null) : supervision;
        admission = admission == null ? new Admission(null, Duration.ZERO) : admission;
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        dns = dns == null ? new Dns(null, null, null, null) : dns;
        fleet = fleet == null ? new Fleet(null, null) : fleet;
        shutdown = shutdown == null ? new Shutdown(null) : shutdown;
        health = health == null ? new Health(true) : health;
    }

    /**
     * Authentication to a running app-server: a capability token, or a signed bearer token (JWT).
     *
     * @param tokenFile A file holding a capability token (read at each connection).
     * @param jwtSecretFile A file holding the HMAC secret of signed bearer tokens (JWT) minted per connection.
     * @param jwtIssuer The issuer of signed bearer tokens.
     * @param jwtAudience The audience of signed bearer tokens.
     */
    public record Auth(@Nullable Path tokenFile, @Nullable Path jwtSecretFile, @Nullable String jwtIssuer,
            @Nullable String jwtAudience) {
        /** No authentication. */
        static final Auth NONE = new Auth(null, null, null, null);
    }

    /**
     * Supervision: restart (or reconnect) a lost app-server, within a restart budget.
     *
     * @param enabled Whether to supervise the client.
     * @param initialBackoff The first backoff before a restart.
     * @param maxBackoff The longest backoff between restarts.
     * @param maxRestarts The most restarts within {@code window}.
     * @param window The window of {@code max-restarts}.
     */
    public record Supervision(boolean enabled, @Nullable Duration initialBackoff, @Nullable Duration maxBackoff,
            @Nullable Integer maxRestarts, @Nullable Duration window) {}

    /**
     * Turn admission: at most so many turns at once per client; one over waits, then fails. (A class,
     * not a record: {@code wait} cannot name a record component.)
     */
    public static final class Admission {
        /** The most turns at once through one client (unlimited when unset). */
        private final @Nullable Integer maxConcurrentTurns;
        /** How long a turn over the limit waits for a slot. */
        private final Duration wait;

        /**
         * @param maxConcurrentTurns The most turns at once through one client (unlimited when unset).
         * @param wait How long a turn over the limit waits for a slot.
         */
        public Admission(@Nullable Integer maxConcurrentTurns, @DefaultValue("0s") @Nullable Duration wait) {
            this.maxConcurrentTurns = maxConcurrentTurns;
            this.wait = wait == null ? Duration.ZERO : wait;
        }

        /** @return the most turns at once through one client, or null for unlimited */
        public @Nullable Integer maxConcurrentTurns() {
            return maxConcurrentTurns;
        }

        /** @return how long a turn over the limit waits for a slot */
        public Duration waitForSlot() {
            return wait;
        }
    }

    /**
     * One endpoint of a fleet: a child of its own (no url) or a running app-server.
     *
     * @param name The endpoint's name (in health details and the metrics' client tag; endpoint-N when unset).
     * @param url A running app-server (ws://, wss://, unix://); a child with the launch settings when unset.
     * @param auth How to authenticate to {@code url}.
     */
    public record Endpoint(@Nullable String name, @Nullable URI url, @DefaultValue Auth auth) {
        /** An unset auth is none. */
        public Endpoint {
            auth = auth == null ? Auth.NONE : auth;
        }
    }

    /**
     * The endpoints of a fleet found by a DNS name ({@link dev.codex4j.DnsEndpoints}), as the pods
     * behind a Kubernetes headless Service: every address the name resolves to is one endpoint.
     *
     * @param name The DNS name as a URI: scheme ws or wss, host and port (a path is kept), for example
     *     wss://codex-app-server.codex.svc.cluster.local:8443.
     * @param refreshEvery How often the name is resolved again (30s when unset).
     * @param drainGrace How long a vanished address's running turns may finish before its client is closed (10m when unset).
     * @param auth How each endpoint proves the client.
     */
    public record Dns(@Nullable URI name, @Nullable Duration refreshEvery, @Nullable Duration drainGrace,
            @DefaultValue Auth auth) {
        /** An unset auth is none. */
        public Dns {
            auth = auth == null ? Auth.NONE : auth;
        }
    }

    /**
     * The fleet's placement limits.
     *
     * @param maxTurnsPerEndpoint The most turns at once per endpoint (unlimited when unset).
     * @param admissionWait How long a turn waits for a free endpoint.
     */
    public record Fleet(@Nullable Integer maxTurnsPerEndpoint, @Nullable Duration admissionWait) {}

    /**
     * Graceful shutdown: no new turns, then the turns in flight may finish for {@code grace}.
     *
     * @param grace How long turns in flight may still run when the context closes, before the client
     *     closes and ends them; keep it below spring.lifecycle.timeout-per-shutdown-phase (30s).
     */
    public record Shutdown(@DefaultValue("20s") Duration grace) {
        /** An unset grace is 20 s. */
        public Shutdown {
            grace = grace == null ? Duration.ofSeconds(20) : grace;
        }
    }

    /**
     * The health indicator.
     *
     * @param account Whether the health check asks the server for its account (one account/read request per check).
     */
    public record Health(@DefaultValue("true") boolean account) {}
}
