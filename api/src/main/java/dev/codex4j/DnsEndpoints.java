package dev.codex4j;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The endpoints of a {@link CodexFleet} found by a DNS name, as gRPC and most Java clients follow
 * the pods behind a Kubernetes headless Service: the name ({@code ws://} or {@code wss://}, host and
 * port, for example {@code wss://codex-app-server.codex.svc.cluster.local:8443}) is resolved every
 * {@link Builder#refreshEvery refresh interval}, and each address it yields is one endpoint, reached
 * at {@code scheme://address:port} with the given {@link ServerAuth}.
 *
 * <ul>
 *   <li>An address that appears joins the fleet: its client connects (and does its handshake) and
 *       then takes part in placement. One that cannot be reached is tried again at the next refresh.
 *   <li>An address that vanishes is <b>drained</b>: no new thread is placed on it, and no new turn
 *       starts there ({@link dev.codex4j.errors.CapacityExceededException} naming the endpoint);
 *       its running turns finish (or fail with {@link dev.codex4j.errors.ServerLostException} when
 *       its server is gone); once idle, or after {@link Builder#drainGrace}, its client is closed
 *       and it leaves {@link CodexFleet#endpoints()}. Its threads are not moved: with
 *       {@link CodexFleet.Builder#sharedStorage} a later {@link CodexFleet#resumeThread} places
 *       them on another endpoint, first releasing the thread on the drained endpoint's server if it
 *       still runs (else that server keeps it and the other refuses it), as the fleet does for the
 *       threads it remembers there before closing its client; the old
 *       {@link CodexThread} then fails with {@link dev.codex4j.errors.ThreadReleasedException}.
 *       Without shared storage it fails with a {@link dev.codex4j.errors.CodexException} naming the
 *       drained endpoint.
 *   <li>A failed resolution (an error, or no address at all) keeps the last good set and is
 *       logged once, until the name resolves again.
 * </ul>
 *
 * <pre>{@code
 * ServerAuth auth = ServerAuth.capabilityToken(Path.of("/etc/codex/token"));
 * try (CodexFleet fleet = CodexFleet.builder()
 *         .endpoints(DnsEndpoints.builder(URI.create("wss://codex-app-server.codex.svc.cluster.local:8443"), auth)
 *                 .refreshEvery(Duration.ofSeconds(10))
 *                 .configure(b -> b.sslContext(tls))
 *                 .build())
 *         .maxTurnsPerEndpoint(16)
 *         .build()) {
 *     CodexThread thread = fleet.startThread();
 * }
 * }</pre>
 *
 * <p>With {@code wss://} the client connects to each address, so the server's certificate must be
 * valid for it as the JDK checks it (an IP address in its subject alternative names, or a TLS proxy
 * per pod); {@code ws://} with a token is refused unless the addresses are loopback.
 */
public final class DnsEndpoints {
    private final URI name;
    private final ServerAuth auth;
    private final Duration refreshEvery;
    private final Duration drainGrace;
    private final Resolver resolver;
    private final Consumer<CodexBuilder> configure;

    /**
     * Turns a host name into its addresses. The JDK's resolver ({@link #jdk()}) is the default;
     * another one can ask a service registry, or, in tests, answer what the test says.
     *
     * <pre>{@code
     * DnsEndpoints.Resolver fixed = host -> List.of(InetAddress.getByName("10.0.0.5"));
     * }</pre>
     */
    @FunctionalInterface
    public interface Resolver {
        /**
         * Called on the fleet's refresher thread only, every refresh interval; may block for as
         * long as a lookup takes.
         *
         * @param host the name's host
         * @return its addresses now (an empty list counts as a failed resolution)
         * @throws IOException when it cannot be resolved now (the fleet keeps the last good set)
         */
        List<InetAddress> resolve(String host) throws IOException;

        /**
         * The JDK's resolver, {@link InetAddress#getAllByName}: its cache applies
         * ({@code networkaddress.cache.ttl}, 30 s by default without a security manager).
         *
         * @return the default resolver
         */
        static Resolver jdk() {
            return host -> List.of(InetAddress.getAllByName(host));
        }
    }

    private DnsEndpoints(Builder b) {
        this.name = b.name;
        this.auth = b.auth;
        this.refreshEvery = b.refreshEvery;
        this.drainGrace = b.drainGrace;
        this.resolver = b.resolver;
        this.configure = b.configure;
    }

    /**
     * @param name {@code ws://host:port} or {@code wss://host:port} (a path is kept)
     * @param auth how each endpoint proves the client (see {@link ServerAuth})
     * @return a builder of DNS endpoints
     * @throws IllegalArgumentException when the name is not a {@code ws}/{@code wss} URI with a
     *     host and a port
     */
    public static Builder builder(URI name, ServerAuth auth) {
        return new Builder(name, auth);
    }

    /** @return the name resolved */
    public URI name() {
        return name;
    }

    /** @return how each endpoint proves the client */
    public ServerAuth auth() {
        return auth;
    }

    /** @return how often the name is resolved again */
    public Duration refreshEvery() {
        return refreshEvery;
    }

    /** @return how long a drained endpoint's running turns may finish before its client is closed */
    public Duration drainGrace() {
        return drainGrace;
    }

    /** @return the resolver */
    public Resolver resolver() {
        return resolver;
    }

    /** The URI of one address: the name's with the address for its host. */
    URI uriOf(InetAddress address) {
        try {
            return new URI(name.getScheme(), null, address.getHostAddress(), name.getPort(), name.getPath(), null, null);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("no URI for " + address + " from " + name, e);
        }
    }

    /** A new client builder for one address: the caller's settings, then the connection. */
    CodexBuilder builderFor(InetAddress address) {
        CodexBuilder b = Codex.builder();
        configure.accept(b);
        return b.connect(uriOf(address), auth);
    }

    @Override
    public String toString() {
        return "DnsEndpoints[" + name + ", every " + refreshEvery + "]";
    }

    /** Builds {@link DnsEndpoints}. */
    public static final class Builder {
        private final URI name;
        private final ServerAuth auth;
        private Duration refreshEvery = Duration.ofSeconds(30);
        private Duration drainGrace = Duration.ofMinutes(10);
        private Resolver resolver = Resolver.jdk();
        private Consumer<CodexBuilder> configure = b -> {};

        private Builder(URI name, ServerAuth auth) {
            Objects.requireNonNull(name, "name");
            String scheme = name.getScheme() == null ? "" : name.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("a DNS name of endpoints is ws://host:port or wss://host:port, not " + name);
            }
            if (name.getHost() == null || name.getPort() < 0) {
                throw new IllegalArgumentException("a DNS name of endpoints needs a host and a port: " + name);
            }
            this.name = name;
            this.auth = Objects.requireNonNull(auth, "auth");
        }

        /** @return this, with how often the name is resolved again (30 s) */
        public Builder refreshEvery(Duration interval) {
            if (Objects.requireNonNull(interval, "interval").isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("refreshEvery must be positive: " + interval);
            }
            this.refreshEvery = interval;
            return this;
        }

        /** @return this, with how long a drained endpoint's turns may run on before it is closed (10 min) */
        public Builder drainGrace(Duration grace) {
            if (Objects.requireNonNull(grace, "grace").isNegative()) {
                throw new IllegalArgumentException("drainGrace must not be negative: " + grace);
            }
            this.drainGrace = grace;
            return this;
        }

        /** @return this, with the resolver ({@link Resolver#jdk()} by default) */
        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Settings of every endpoint's client (TLS, timeouts, approval handler, supervision), applied
         * to a new {@link CodexBuilder} for each address before it connects; the connection itself
         * (address and auth) is the name's.
         *
         * @return this
         */
        public Builder configure(Consumer<CodexBuilder> settings) {
            this.configure = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** @return the DNS endpoints */
        public DnsEndpoints build() {
            return new DnsEndpoints(this);
        }
    }
}
