package dev.codex4j.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code codex.*} properties: how the starter builds its {@link dev.codex4j.Codex} (or, with
 * {@code codex.endpoints}, its {@link dev.codex4j.CodexFleet}). Unset values keep the SDK's
 * defaults. Bound once at startup by Spring; read-only afterwards.
 */
@ConfigurationProperties(prefix = "codex")
public class CodexProperties {
    /** Whether to auto-configure a Codex client. */
    private boolean enabled = true;
    /** The Codex CLI to run (default: the pinned CLI, found or installed by the SDK). */
    private @Nullable Path codexPath;
    /** The working directory of the app-server child. */
    private @Nullable Path cwd;
    /** Config overrides passed as "-c key=value" to the app-server child; values are TOML ("'gpt-5'", "true"). */
    private Map<String, String> config = new LinkedHashMap<>();
    /** Environment variables of the app-server child. */
    private Map<String, String> env = new LinkedHashMap<>();
    /** An app-server that already runs (ws://, wss:// or unix://) instead of a child. */
    private @Nullable URI url;
    /** How to authenticate to {@code codex.url}. */
    private Auth auth = new Auth();
    /** How long a request waits for its reply. */
    private @Nullable Duration requestTimeout;
    /** How long the initialize handshake may take. */
    private @Nullable Duration handshakeTimeout;
    /** How long closing waits for the child to exit before killing it. */
    private @Nullable Duration closeTimeout;
    /** A turn silent for this long fails (off when unset). */
    private @Nullable Duration turnWatchdog;
    /** Restart (or reconnect) a lost app-server. */
    private Supervision supervision = new Supervision();
    /** Turn admission of each client. */
    private Admission admission = new Admission();
    /** Several app-servers: the starter builds a CodexFleet with one endpoint each. */
    private List<Endpoint> endpoints = new ArrayList<>();
    /** Placement limits of the fleet (with {@code codex.endpoints}). */
    private Fleet fleet = new Fleet();
    /** Graceful shutdown of the client with the application context. */
    private Shutdown shutdown = new Shutdown();
    /** The Actuator health indicator. */
    private Health health = new Health();

    /** @return whether to auto-configure a client */
    public boolean isEnabled() {
        return enabled;
    }

    /** @param enabled whether to auto-configure a client */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** @return the CLI to run, or null */
    public @Nullable Path getCodexPath() {
        return codexPath;
    }

    /** @param codexPath the CLI to run */
    public void setCodexPath(@Nullable Path codexPath) {
        this.codexPath = codexPath;
    }

    /** @return the child's working directory, or null */
    public @Nullable Path getCwd() {
        return cwd;
    }

    /** @param cwd the child's working directory */
    public void setCwd(@Nullable Path cwd) {
        this.cwd = cwd;
    }

    /** @return config overrides (TOML values) */
    public Map<String, String> getConfig() {
        return config;
    }

    /** @param config config overrides (TOML values) */
    public void setConfig(Map<String, String> config) {
        this.config = config;
    }

    /** @return the child's environment variables */
    public Map<String, String> getEnv() {
        return env;
    }

    /** @param env the child's environment variables */
    public void setEnv(Map<String, String> env) {
        this.env = env;
    }

    /** @return a running app-server to connect to, or null */
    public @Nullable URI getUrl() {
        return url;
    }

    /** @param url a running app-server to connect to */
    public void setUrl(@Nullable URI url) {
        this.url = url;
    }

    /** @return the authentication to {@code codex.url} */
    public Auth getAuth() {
        return auth;
    }

    /** @param auth the authentication to {@code codex.url} */
    public void setAuth(Auth auth) {
        this.auth = auth;
    }

    /** @return the request timeout, or null */
    public @Nullable Duration getRequestTimeout() {
        return requestTimeout;
    }

    /** @param requestTimeout the request timeout */
    public void setRequestTimeout(@Nullable Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /** @return the handshake timeout, or null */
    public @Nullable Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    /** @param handshakeTimeout the handshake timeout */
    public void setHandshakeTimeout(@Nullable Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    /** @return the close timeout, or null */
    public @Nullable Duration getCloseTimeout() {
        return closeTimeout;
    }

    /** @param closeTimeout the close timeout */
    public void setCloseTimeout(@Nullable Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    /** @return the turn watchdog's silence, or null */
    public @Nullable Duration getTurnWatchdog() {
        return turnWatchdog;
    }

    /** @param turnWatchdog the turn watchdog's silence */
    public void setTurnWatchdog(@Nullable Duration turnWatchdog) {
        this.turnWatchdog = turnWatchdog;
    }

    /** @return supervision */
    public Supervision getSupervision() {
        return supervision;
    }

    /** @param supervision supervision */
    public void setSupervision(Supervision supervision) {
        this.supervision = supervision;
    }

    /** @return admission */
    public Admission getAdmission() {
        return admission;
    }

    /** @param admission admission */
    public void setAdmission(Admission admission) {
        this.admission = admission;
    }

    /** @return the fleet's endpoints (empty: one Codex) */
    public List<Endpoint> getEndpoints() {
        return endpoints;
    }

    /** @param endpoints the fleet's endpoints */
    public void setEndpoints(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    /** @return the fleet's limits */
    public Fleet getFleet() {
        return fleet;
    }

    /** @param fleet the fleet's limits */
    public void setFleet(Fleet fleet) {
        this.fleet = fleet;
    }

    /** @return graceful shutdown */
    public Shutdown getShutdown() {
        return shutdown;
    }

    /** @param shutdown graceful shutdown */
    public void setShutdown(Shutdown shutdown) {
        this.shutdown = shutdown;
    }

    /** @return the health indicator's settings */
    public Health getHealth() {
        return health;
    }

    /** @param health the health indicator's settings */
    public void setHealth(Health health) {
        this.health = health;
    }

    /** Authentication to a running app-server: a capability token, or a signed bearer token (JWT). */
    public static class Auth {
        /** A file holding a capability token (read at each connection). */
        private @Nullable Path tokenFile;
        /** A file holding the HMAC secret of signed bearer tokens (JWT) minted per connection. */
        private @Nullable Path jwtSecretFile;
        /** The issuer of signed bearer tokens. */
        private @Nullable String jwtIssuer;
        /** The audience of signed bearer tokens. */
        private @Nullable String jwtAudience;

        /** @return the capability token file, or null */
        public @Nullable Path getTokenFile() {
            return tokenFile;
        }

        /** @param tokenFile the capability token file */
        public void setTokenFile(@Nullable Path tokenFile) {
            this.tokenFile = tokenFile;
        }

        /** @return the JWT secret file, or null */
        public @Nullable Path getJwtSecretFile() {
            return jwtSecretFile;
        }

        /** @param jwtSecretFile the JWT secret file */
        public void setJwtSecretFile(@Nullable Path jwtSecretFile) {
            this.jwtSecretFile = jwtSecretFile;
        }

        /** @return the JWT issuer, or null */
        public @Nullable String getJwtIssuer() {
            return jwtIssuer;
        }

        /** @param jwtIssuer the JWT issuer */
        public void setJwtIssuer(@Nullable String jwtIssuer) {
            this.jwtIssuer = jwtIssuer;
        }

        /** @return the JWT audience, or null */
        public @Nullable String getJwtAudience() {
            return jwtAudience;
        }

        /** @param jwtAudience the JWT audience */
        public void setJwtAudience(@Nullable String jwtAudience) {
            this.jwtAudience = jwtAudience;
        }
    }

    /** Supervision: restart (or reconnect) a lost app-server, within a restart budget. */
    public static class Supervision {
        /** Whether to supervise the client. */
        private boolean enabled;
        /** The first backoff before a restart. */
        private @Nullable Duration initialBackoff;
        /** The longest backoff between restarts. */
        private @Nullable Duration maxBackoff;
        /** The most restarts within {@code window}. */
        private @Nullable Integer maxRestarts;
        /** The window of {@code max-restarts}. */
        private @Nullable Duration window;

        /** @return whether to supervise */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled whether to supervise */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the first backoff, or null */
        public @Nullable Duration getInitialBackoff() {
            return initialBackoff;
        }

        /** @param initialBackoff the first backoff */
        public void setInitialBackoff(@Nullable Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        /** @return the longest backoff, or null */
        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        /** @param maxBackoff the longest backoff */
        public void setMaxBackoff(@Nullable Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        /** @return the most restarts within the window, or null */
        public @Nullable Integer getMaxRestarts() {
            return maxRestarts;
        }

        /** @param maxRestarts the most restarts within the window */
        public void setMaxRestarts(@Nullable Integer maxRestarts) {
            this.maxRestarts = maxRestarts;
        }

        /** @return the window, or null */
        public @Nullable Duration getWindow() {
            return window;
        }

        /** @param window the window */
        public void setWindow(@Nullable Duration window) {
            this.window = window;
        }
    }

    /** Turn admission: at most so many turns at once per client; one over waits, then fails. */
    public static class Admission {
        /** The most turns at once through one client (unlimited when unset). */
        private @Nullable Integer maxConcurrentTurns;
        /** How long a turn over the limit waits for a slot. */
        private Duration wait = Duration.ZERO;

        /** @return the most turns at once, or null */
        public @Nullable Integer getMaxConcurrentTurns() {
            return maxConcurrentTurns;
        }

        /** @param maxConcurrentTurns the most turns at once */
        public void setMaxConcurrentTurns(@Nullable Integer maxConcurrentTurns) {
            this.maxConcurrentTurns = maxConcurrentTurns;
        }

        /** @return the admission wait */
        public Duration getWait() {
            return wait;
        }

        /** @param wait the admission wait */
        public void setWait(Duration wait) {
            this.wait = wait;
        }
    }

    /** One endpoint of a fleet: a child of its own (no url) or a running app-server. */
    public static class Endpoint {
        /** The endpoint's name (in health details and the metrics' client tag). */
        private @Nullable String name;
        /** A running app-server (ws://, wss://, unix://); a child with the launch settings when unset. */
        private @Nullable URI url;
        /** How to authenticate to {@code url}. */
        private Auth auth = new Auth();

        /** @return the name, or null (then endpoint-N) */
        public @Nullable String getName() {
            return name;
        }

        /** @param name the name */
        public void setName(@Nullable String name) {
            this.name = name;
        }

        /** @return the url, or null */
        public @Nullable URI getUrl() {
            return url;
        }

        /** @param url the url */
        public void setUrl(@Nullable URI url) {
            this.url = url;
        }

        /** @return the authentication */
        public Auth getAuth() {
            return auth;
        }

        /** @param auth the authentication */
        public void setAuth(Auth auth) {
            this.auth = auth;
        }
    }

    /** The fleet's placement limits. */
    public static class Fleet {
        /** The most turns at once per endpoint (unlimited when unset). */
        private @Nullable Integer maxTurnsPerEndpoint;
        /** How long a turn waits for a free endpoint. */
        private @Nullable Duration admissionWait;

        /** @return the most turns per endpoint, or null */
        public @Nullable Integer getMaxTurnsPerEndpoint() {
            return maxTurnsPerEndpoint;
        }

        /** @param maxTurnsPerEndpoint the most turns per endpoint */
        public void setMaxTurnsPerEndpoint(@Nullable Integer maxTurnsPerEndpoint) {
            this.maxTurnsPerEndpoint = maxTurnsPerEndpoint;
        }

        /** @return the admission wait, or null */
        public @Nullable Duration getAdmissionWait() {
            return admissionWait;
        }

        /** @param admissionWait the admission wait */
        public void setAdmissionWait(@Nullable Duration admissionWait) {
            this.admissionWait = admissionWait;
        }
    }

    /** Graceful shutdown: no new turns, then the turns in flight may finish for {@code grace}. */
    public static class Shutdown {
        /**
         * How long turns in flight may still run when the context closes, before the client closes
         * and ends them. Keep it below spring.lifecycle.timeout-per-shutdown-phase (30s).
         */
        private Duration grace = Duration.ofSeconds(20);

        /** @return the grace period */
        public Duration getGrace() {
            return grace;
        }

        /** @param grace the grace period */
        public void setGrace(Duration grace) {
            this.grace = grace;
        }
    }

    /** The health indicator. */
    public static class Health {
        /** Whether the health check asks the server for its account (one account/read request per check). */
        private boolean account = true;

        /** @return whether the health check asks for the account */
        public boolean isAccount() {
            return account;
        }

        /** @param account whether the health check asks for the account */
        public void setAccount(boolean account) {
            this.account = account;
        }
    }
}
