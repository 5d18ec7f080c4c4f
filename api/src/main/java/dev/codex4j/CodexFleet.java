package dev.codex4j;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.CodexRpcException;
import dev.codex4j.errors.ServerLostException;
import dev.codex4j.errors.TransportClosedException;
import dev.codex4j.internal.sdk.CodexOptions;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.ThreadArchiveParams;
import dev.codex4j.protocol.types.ThreadUnarchiveParams;
import dev.codex4j.protocol.types.ThreadUnsubscribeParams;
import dev.codex4j.protocol.types.ThreadUnsubscribeStatus;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.sdk.Waits;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One client over many app-servers ("endpoints"): children it starts, and servers that run on this
 * or other machines ({@code ws://}, {@code wss://}, {@code unix://}), each a supervised
 * {@link Codex}. It hands out the same {@link CodexThread} and {@link TurnHandle} as a single
 * {@code Codex} (both are a {@link CodexClient}), so code moves from one server to many by
 * changing the builder.
 *
 * <ul>
 *   <li><b>Placement</b>: a new thread goes to an endpoint that is connected and has a free turn
 *       slot, chosen by {@link Placement}: by default the fewest turns (running, starting or
 *       waiting for a slot), then the fewest threads (placed, or being placed), ties in rotation
 *       ({@link Placement#leastLoaded()}). Placements are made one at a time, each seeing the
 *       threads the previous ones placed, so a burst of new threads spreads from the first.
 *   <li><b>Affinity</b>: a thread lives on the endpoint that created it; every later call on its
 *       {@code CodexThread} goes there, and {@link #resumeThread(String)} finds it by id. Only when
 *       the endpoints share one {@code CODEX_HOME} (declared with {@link Builder#sharedStorage})
 *       may an unknown thread be resumed on any endpoint.
 *   <li><b>Health</b>: an endpoint whose server is lost fails its in-flight turns with
 *       {@link ServerLostException}, leaves placement, restarts or reconnects with backoff (its
 *       {@link Supervision}) and comes back.
 *   <li><b>Admission</b>: at most {@link Builder#maxTurnsPerEndpoint} turns run on an endpoint at
 *       once. A new thread is admitted only when some endpoint has a free slot, waiting at most
 *       {@link Builder#admissionWait}, else {@link CapacityExceededException}; nothing queues
 *       without bound.
 *   <li><b>Membership</b>: the builder's endpoints, and with {@link Builder#endpoints(DnsEndpoints)}
 *       those a DNS name resolves to, re-resolved at an interval: an address added joins, one
 *       removed is drained and then closed ({@link DnsEndpoints}). The membership has one owner,
 *       the refresher virtual thread {@code codex4j-fleet-dns} (its first round runs in
 *       {@link Builder#build()}); it publishes each membership as an immutable list, which
 *       placement and {@link #endpoints()} read as a snapshot. {@link #close()} and
 *       {@link #shutdown} stop it first. Without a DNS name the fleet has no thread of its own.
 * </ul>
 *
 * <pre>{@code
 * ServerAuth auth = ServerAuth.capabilityToken(Path.of("/etc/codex/token"));
 * try (CodexFleet fleet = CodexFleet.builder()
 *         .endpoint("a", Codex.builder().connect(URI.create("wss://codex-a.internal"), auth))
 *         .endpoint("b", Codex.builder().connect(URI.create("wss://codex-b.internal"), auth))
 *         .endpoint("local", Codex.builder())
 *         .maxTurnsPerEndpoint(16)
 *         .admissionWait(Duration.ofSeconds(2))
 *         .build()) {
 *     CodexThread thread = fleet.startThread();
 *     System.out.println(thread.run("Summarize the repo").finalResponse().orElse(""));
 * }
 * }</pre>
 */
public final class CodexFleet implements CodexClient {
    private static final System.Logger LOG = System.getLogger(CodexFleet.class.getName());
    /**
     * The endpoints now: an immutable list, replaced (never changed) by its one writer, the
     * constructor and then the DNS refresher; placement and every reader take one snapshot.
     */
    private volatile List<Endpoint> endpoints;
    private final @Nullable DnsEndpoints dns;
    /** The DNS refresher, the one owner of membership (null without {@link Builder#endpoints(DnsEndpoints)}). */
    private final @Nullable Thread refresher;
    private final Supervision supervision;
    private final int maxTurnsPerEndpoint;
    private final Placement placement;
    private final Duration admissionWait;
    private final boolean sharedStorage;
    /**
     * Which endpoint created or resumed each thread (affinity), the most recently used
     * {@code rememberedThreads} of them; a forgotten id is found again by asking the endpoints.
     */
    private final Map<String, Endpoint> homes;
    /**
     * Held while a placer chooses an endpoint and counts its placement there, so that the next
     * placer sees it ({@link #place}); never held while anything is sent.
     */
    private final ReentrantLock placing = new ReentrantLock();
    /** Signalled when a slot frees or an endpoint's state changes: admission waits on it. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile boolean closed;
    /** Set by {@link #close()} and {@link #shutdown}: the refresher ends (and connects no more). */
    private volatile boolean stopRefresh;
    /** Counts state changes and freed slots, so that a placer never sleeps through one ({@link #signal()}). */
    private final AtomicLong changes = new AtomicLong();

    /**
     * One app-server of the fleet, as placement sees it.
     *
     * <pre>{@code
     * for (CodexFleet.Endpoint e : fleet.endpoints()) System.out.println(e.name() + " " + e.state() + " " + e.activeTurns());
     * }</pre>
     */
    public static final class Endpoint {
        private final String name;
        private final Codex codex;
        /** Threads the fleet remembers on it ({@code homes}' values): changed with {@code homes}. */
        private final AtomicInteger remembered = new AtomicInteger();
        /** Placements chosen here whose thread/start (or resume, fork) has not returned yet. */
        private final AtomicInteger placing = new AtomicInteger();
        /** Its address, when it came from a DNS name; null for an endpoint given to the builder. */
        private final @Nullable InetAddress address;
        /** Set once, by the refresher, when its address left the DNS name: placement skips it. */
        private volatile @Nullable String drained;
        /**
         * Its threads released (or being released) on its server, so that another endpoint may resume
         * them ({@link CodexFleet#release}); a second releaser waits for the first.
         */
        private final Map<String, CompletableFuture<Void>> releases = new ConcurrentHashMap<>();
        /** Refresher only: when a draining endpoint is closed even with turns still running. */
        private long drainDeadlineNanos;

        Endpoint(String name, Codex codex, @Nullable InetAddress address) {
            this.name = name;
            this.codex = codex;
            this.address = address;
        }

        /**
         * @return whether it is drained: its address left the fleet's DNS name, so no new thread or
         *     turn starts on it, and it is closed once its running turns are done (see
         *     {@link DnsEndpoints})
         */
        public boolean isDraining() {
            return drained != null;
        }

        /**
         * @return the endpoint's name (given to the builder, or {@code endpoint-N}; from DNS,
         *     {@code host/address:port})
         */
        public String name() {
            return name;
        }

        /** @return its client: connected, reconnecting or closed */
        public Codex.State state() {
            return codex.state();
        }

        /** @return turns running or being started on it now */
        public int activeTurns() {
            return codex.activeTurns();
        }

        /** @return turns on it waiting for a free slot now (its endpoint is full) */
        public int waitingTurns() {
            return codex.session().admission().waiting();
        }

        /**
         * @return the threads the fleet placed on it: those it created, resumed or forked there and
         *     still remembers (the most recently used {@code 100_000} of the fleet's), plus those
         *     being placed there now
         */
        public int threads() {
            return remembered.get() + placing.get();
        }

        /** @return the most turns it runs at once ({@link Integer#MAX_VALUE} when unlimited) */
        public int maxTurns() {
            return codex.session().admission().max();
        }

        /** @return how often its server was restarted or reconnected */
        public int restarts() {
            return codex.restarts();
        }

        /** @return its client, for calls the fleet does not route (models, account, config) */
        public Codex client() {
            return codex;
        }

        boolean admits() {
            return drained == null && codex.isConnected() && codex.session().admission().hasFree();
        }

        @Override
        public String toString() {
            return name + "[" + (drained != null ? "DRAINING " : "") + state() + ", " + activeTurns() + " turns, "
                    + waitingTurns() + " waiting, " + threads() + " threads]";
        }
    }

    /**
     * Chooses the endpoint of a new thread among those that are connected and have a free slot
     * (never an empty list). The fleet calls it for one placement at a time: when it is called,
     * every earlier choice already counts in its endpoint's {@link Endpoint#threads()}, even if that
     * thread's {@code thread/start} is still on its way. So it must be fast and must not block: it
     * holds up every other placement of the fleet.
     *
     * <p>Its input: each candidate's {@link Endpoint#activeTurns()} (running or starting),
     * {@link Endpoint#waitingTurns()} (waiting for a slot) and {@link Endpoint#threads()} (placed
     * there, or being placed).
     *
     * <pre>{@code
     * CodexFleet.Placement leastLoaded = CodexFleet.Placement.leastLoaded();
     * CodexFleet.Placement preferLocal = candidates -> candidates.stream()
     *         .filter(e -> e.name().equals("local")).findFirst()
     *         .orElseGet(() -> leastLoaded.choose(candidates));
     * }</pre>
     */
    @FunctionalInterface
    public interface Placement {
        /**
         * @param candidates the endpoints that can take a turn now, in the builder's order
         * @return one of them
         */
        Endpoint choose(List<Endpoint> candidates);

        /**
         * The default. The fewest turns ({@link Endpoint#activeTurns()} plus
         * {@link Endpoint#waitingTurns()}), then the fewest {@link Endpoint#threads()}; among
         * endpoints that tie on both, the next in rotation (each call starts looking one endpoint
         * further on).
         *
         * <p>Why threads: a thread never leaves its endpoint (without shared storage), so the
         * threads placed there are the turns it will run; counting them spreads threads created in
         * a burst, or before their first turn, which all tie at zero turns. Why a rotation rather
         * than the "power of two choices" (two endpoints at random, the less loaded): that method
         * protects against herds acting on stale counts, as in a distributed balancer; here the
         * counts are exact and the fleet makes one placement at a time, so a full scan of the
         * endpoints picks the least loaded for certain, and the rotation keeps ties from favouring
         * the first endpoint while staying deterministic (nine new threads on three idle endpoints
         * are three each).
         *
         * @return a new placement (its rotation is its own)
         */
        static Placement leastLoaded() {
            Comparator<Endpoint> load = Comparator.comparingInt((Endpoint e) -> e.activeTurns() + e.waitingTurns())
                    .thenComparingInt(Endpoint::threads);
            AtomicLong next = new AtomicLong();
            return candidates -> {
                int n = candidates.size();
                int first = (int) Math.floorMod(next.getAndIncrement(), (long) n);
                Endpoint best = null;
                for (int i = 0; i < n; i++) {
                    Endpoint e = candidates.get((first + i) % n);
                    if (best == null || load.compare(e, best) < 0) {
                        best = e;
                    }
                }
                return Objects.requireNonNull(best);
            };
        }

        /**
         * The previous default: the fewest active turns, the earliest endpoint on a tie. It
         * ignores threads without a running turn, so a burst of new threads all go to the first
         * endpoint; kept for callers that want exactly that.
         *
         * @return the placement by active turns alone
         */
        static Placement leastActiveTurns() {
            return candidates -> candidates.stream().min(Comparator.comparingInt(Endpoint::activeTurns))
                    .orElseThrow();
        }
    }

    private CodexFleet(Builder b) {
        this.placement = b.placement;
        this.dns = b.dns;
        this.supervision = b.supervision;
        this.maxTurnsPerEndpoint = b.maxTurnsPerEndpoint;
        this.admissionWait = b.admissionWait;
        this.sharedStorage = b.sharedStorage;
        int remembered = b.rememberedThreads;
        this.homes = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Endpoint> eldest) {
                if (size() > remembered) {
                    eldest.getValue().remembered.decrementAndGet();
                    return true;
                }
                return false;
            }
        });
        List<Endpoint> built = new ArrayList<>();
        try {
            for (int i = 0; i < b.builders.size(); i++) {
                built.add(newEndpoint(b.names.get(i), b.builders.get(i), null));
            }
        } catch (RuntimeException e) {
            built.forEach(ep -> ep.codex.close());
            throw e;
        }
        this.endpoints = List.copyOf(built);
        if (dns == null) {
            this.refresher = null;
        } else {
            Refresh r = new Refresh(dns);
            r.resolve(); // the first round here, so that build() returns with the endpoints it found
            this.refresher = Thread.ofVirtual().name("codex4j-fleet-dns").start(r::loop);
        }
    }

    private Endpoint newEndpoint(String name, CodexBuilder b, @Nullable InetAddress address) {
        Codex codex = new Codex(endpointOptions(b.options()));
        codex.session().onStateChange(this::signal);
        codex.session().admission().onFreed(this::signal);
        return new Endpoint(name, codex, address);
    }

    /** @return a builder of a fleet */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the endpoints now, an immutable snapshot: the builder's in its order, then those
     *     found by DNS (which join and leave as the name's addresses change)
     */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * @param thread a thread of this fleet
     * @return the endpoint it lives on
     * @throws IllegalArgumentException when the thread is not one of this fleet's
     */
    public Endpoint endpointOf(CodexThread thread) {
        for (Endpoint e : endpoints) {
            if (e.codex.session() == thread.session()) {
                return e;
            }
        }
        throw new IllegalArgumentException("thread " + thread.id() + " does not belong to this fleet"
                + " (or its endpoint was drained and closed)");
    }

    @Override
    public CodexThread startThread() {
        return startThread(ThreadOptions.defaults());
    }

    /**
     * Starts a thread on the endpoint {@link Placement} chooses among those that are connected and
     * have a free turn slot, waiting up to the admission wait for one.
     *
     * @throws CapacityExceededException when no endpoint could take it in time (nothing was sent)
     */
    @Override
    public CodexThread startThread(ThreadOptions options) {
        Objects.requireNonNull(options, "options");
        return place("a new thread", e -> e.codex.startThread(options, Deadline.after(Duration.ZERO)));
    }

    @Override
    public CodexThread resumeThread(String threadId) {
        return resumeThread(threadId, ThreadOptions.defaults());
    }

    /**
     * Resumes a thread on the endpoint that has it: the one that created or resumed it through
     * this fleet; for another id, each connected endpoint in turn is asked (a thread lives in its
     * server's storage). With {@link Builder#sharedStorage} an unknown thread is placed like a new one,
     * and so is one whose endpoint was drained: it is first released on that endpoint's server while
     * it runs (the old {@link CodexThread} then fails with
     * {@link dev.codex4j.errors.ThreadReleasedException}), bounded by its request timeout.
     *
     * @throws CodexException when no endpoint has it (or it lives on one that is down), or when a
     *     drained endpoint's server refuses to release it or cannot be reached (naming both endpoints)
     */
    @Override
    public CodexThread resumeThread(String threadId, ThreadOptions options) {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(options, "options");
        Endpoint home = homes.get(threadId);
        if (home != null && home.drained == null) {
            return remember(home, home.codex.resumeThread(threadId, options));
        }
        if (home != null && !sharedStorage) {
            throw drainedHome(threadId, home);
        }
        if (home != null) {
            // sharedStorage, its home drained: release it there first, else the other server refuses it
            return place("thread " + threadId, e -> {
                release(home, threadId, e);
                try {
                    return e.codex.resumeThread(threadId, options, Deadline.after(Duration.ZERO));
                } catch (CodexRpcException ex) {
                    if (String.valueOf(ex.getMessage()).contains("active writer")) {
                        throw new CodexException("Thread " + threadId + " of endpoint " + home.name + " (which "
                                + home.drained + ") cannot be resumed on endpoint " + e.name + ": the server of "
                                + home.name + " still holds it (" + ex.getMessage() + "), and it could not be"
                                + " released there before its client was closed", ex);
                    }
                    throw ex;
                }
            });
        }
        if (sharedStorage) {
            return place("thread " + threadId, e -> e.codex.resumeThread(threadId, options, Deadline.after(Duration.ZERO)));
        }
        RuntimeException last = null;
        int down = 0;
        List<Endpoint> now = endpoints;
        for (Endpoint e : now) {
            if (!e.codex.isConnected() || e.drained != null) {
                down++;
                continue;
            }
            try {
                return remember(e, e.codex.resumeThread(threadId, options, Deadline.after(Duration.ZERO)));
            } catch (CodexRpcException | ServerLostException ex) {
                last = ex;
            }
        }
        throw new CodexException("No endpoint of the fleet has thread " + threadId + " (asked " + (now.size() - down)
                + ", " + down + " down; without sharedStorage a thread lives only on the endpoint that created it)", last);
    }

    @Override
    public CodexThread forkThread(String threadId) {
        return forkThread(threadId, ThreadOptions.defaults());
    }

    /**
     * Forks a thread on the endpoint that has it (any endpoint with {@link Builder#sharedStorage});
     * an id the fleet has not seen is first found as {@link #resumeThread(String)} finds it.
     *
     * @throws CodexException when no endpoint has it (without shared storage)
     */
    @Override
    public CodexThread forkThread(String threadId, ThreadOptions options) {
        Objects.requireNonNull(threadId, "threadId");
        if (sharedStorage) {
            return place("a fork of " + threadId, e -> e.codex.forkThread(threadId, options, Deadline.after(Duration.ZERO)));
        }
        Endpoint home = homes.get(threadId);
        if (home == null) {
            resumeThread(threadId); // finds its endpoint
            home = Objects.requireNonNull(homes.get(threadId));
        }
        if (home.drained != null) {
            throw drainedHome(threadId, home);
        }
        return remember(home, home.codex.forkThread(threadId, options));
    }

    /**
     * Releases a thread on its drained endpoint's server, so that another server may resume it (a
     * server keeps a thread loaded, and its writer, after the last subscriber leaves and after the
     * connection closes; the Codex CLI 0.171.0 unloads it only after {@code thread_unload_delay_secs}
     * or when it is archived: see docs/PROTOCOL.md, "Who holds a thread"). It sends
     * {@code thread/unsubscribe}; a thread the server has not loaded is released already; a loaded one
     * is archived and at once unarchived, which unloads it and leaves its rollout where it was. All of
     * it within one request timeout of the endpoint. From the start the endpoint's {@code CodexThread}
     * objects of it fail with {@link dev.codex4j.errors.ThreadReleasedException}. Runs on the caller's
     * thread (a resume) or the refresher (before a drained endpoint's client is closed).
     *
     * @param to the endpoint it will be resumed on, null when the drained endpoint is being closed
     * @throws CodexException naming both endpoints when the old server refuses or cannot be reached
     */
    private void release(Endpoint home, String threadId, @Nullable Endpoint to) {
        Session s = home.codex.session();
        String purpose = to == null ? "before its client was closed" : "to resume it on endpoint " + to.name;
        if (home.codex.state() == Codex.State.CLOSED) {
            return; // released before the close, or its server was gone: the other server tells
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> before = home.releases.putIfAbsent(threadId, mine);
        if (before != null) { // released, or being released (by the refresher, or a retried placement)
            try {
                before.get(Math.max(1, s.requestTimeout().toNanos()), TimeUnit.NANOSECONDS);
                return;
            } catch (ExecutionException e) {
                throw new CodexException("Cannot resume thread " + threadId + " on endpoint " + (to == null ? "?" : to.name)
                        + ": its release on endpoint " + home.name + " failed: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new CodexException("Cannot resume thread " + threadId + " on endpoint " + (to == null ? "?" : to.name)
                        + ": its release on endpoint " + home.name + " did not end within the request timeout "
                        + s.requestTimeout(), e);
            } catch (InterruptedException e) {
                throw Waits.interrupted("the release of thread " + threadId + " on endpoint " + home.name, e);
            }
        }
        s.markReleased(threadId, "Thread " + threadId + " was released on endpoint " + home.name + " (which "
                + home.drained + ") " + purpose + "; this CodexThread no longer acts on it: use"
                + " fleet.resumeThread(\"" + threadId + "\") for the thread where it lives now");
        Deadline deadline = Deadline.after(s.requestTimeout());
        String step = "thread/unsubscribe";
        boolean archived = false;
        try {
            var connection = s.awaitLink(deadline).connection;
            ThreadUnsubscribeStatus status = Session.callOn(connection, ClientMethods.THREAD_UNSUBSCRIBE,
                    TypedCodec.params(ThreadUnsubscribeParams.builder().threadId(threadId).build()), deadline).status();
            if (status.known() != ThreadUnsubscribeStatus.Known.NOT_LOADED) { // else nobody holds it (or its owner archived it)
                step = "thread/archive";
                Session.callOn(connection, ClientMethods.THREAD_ARCHIVE,
                        TypedCodec.params(ThreadArchiveParams.builder().threadId(threadId).build()), deadline);
                archived = true;
                step = "thread/unarchive";
                Session.callOn(connection, ClientMethods.THREAD_UNARCHIVE,
                        TypedCodec.params(ThreadUnarchiveParams.builder().threadId(threadId).build()), deadline);
            }
            mine.complete(null);
        } catch (CodexException e) {
            CodexException failed = new CodexException("Cannot release thread " + threadId + " on endpoint " + home.name
                    + " (which " + home.drained + ") " + purpose + ": " + step + " there failed"
                    + (archived ? " after thread/archive succeeded (the thread is archived: thread/unarchive it)" : "")
                    + " within the request timeout " + s.requestTimeout() + ": " + e.getMessage(), e);
            if (!archived) { // the server did not let it go: it is still the old endpoint's
                s.unmarkReleased(threadId);
                home.releases.remove(threadId, mine);
            }
            mine.completeExceptionally(failed);
            throw failed;
        }
    }

    private static CodexException drainedHome(String threadId, Endpoint home) {
        return new CodexException("Thread " + threadId + " lives on endpoint " + home.name + ", which " + home.drained
                + "; without sharedStorage a thread cannot be resumed on another endpoint", null);
    }

    /** @return whether the fleet is open (some endpoints may be reconnecting) */
    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Shuts every endpoint down gracefully (see {@link Codex#shutdown}): no endpoint starts a new
     * turn from now on; the turns in flight may finish for up to {@code grace} in all; then the
     * fleet {@link #close() closes}.
     *
     * @param grace how long the turns in flight may still run
     * @return whether every turn ended within {@code grace}
     */
    @Override
    public boolean shutdown(Duration grace) {
        if (Objects.requireNonNull(grace, "grace").isNegative()) {
            throw new IllegalArgumentException("the grace period must not be negative: " + grace);
        }
        stopRefresher();
        List<Endpoint> all = endpoints;
        for (Endpoint e : all) {
            e.codex.session().admission().drain();
        }
        signal();
        Deadline deadline = Deadline.after(grace);
        boolean idle = true;
        try {
            for (Endpoint e : all) {
                idle &= e.codex.session().admission().awaitIdle(deadline);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            idle = false;
        }
        close();
        return idle;
    }

    /**
     * Stops the DNS refresher (if any), then closes every endpoint (in parallel), each bounded by its
     * close timeout. Waits for the refresher, and then for the endpoints' closers, at most the
     * largest close timeout of the endpoints plus 5 seconds each; one that has not ended by then
     * (blocked in a listener, a stuck stream) is logged at WARNING, with where it is, and left
     * running: close returns all the same. An interrupt does not cut the wait short (the interrupt
     * status is kept). Idempotent; throws nothing.
     */
    @Override
    public void close() {
        closed = true;
        signal();
        stopRefresher();
        List<Thread> closers = new ArrayList<>();
        for (Endpoint e : endpoints) {
            closers.add(Thread.ofVirtual().name("codex4j-fleet-close-" + e.name).start(e.codex::close));
        }
        Waits.joinAll(closers, closeBound(), "the fleet's endpoint closers", LOG);
    }

    /** How long close waits for the refresher, and then for the closers: the largest close timeout, and a grace. */
    private Duration closeBound() {
        return Waits.closeBound(endpoints.stream().map(e -> e.codex.session().options().closeTimeout())
                .max(Duration::compareTo).orElse(Duration.ZERO));
    }

    private interface Start {
        CodexThread on(Endpoint e);
    }

    /** Admission and placement: waits (bounded) for an endpoint that can take a turn, starts there. */
    private CodexThread place(String what, Start start) {
        Deadline deadline = Deadline.after(admissionWait);
        while (true) {
            if (closed) {
                throw new TransportClosedException("The fleet is closed", null, "", null);
            }
            long seen = changes.get();
            Endpoint e = choose();
            if (e != null) {
                try {
                    return remember(e, start.on(e));
                } catch (ServerLostException ex) {
                    if (!ex.retrySafe()) {
                        throw ex;
                    }
                    continue; // down, or lost before anything was sent: place it elsewhere
                } finally {
                    e.placing.decrementAndGet();
                }
            }
            lock.lock();
            try {
                if (deadline.isExpired()) {
                    throw new CapacityExceededException("No endpoint of the fleet could take " + what + " within "
                            + admissionWait + ": " + endpoints);
                }
                if (changes.get() == seen) {
                    changed.awaitNanos(Math.min(deadline.remainingNanos(), 50_000_000L)); // and look again
                }
            } catch (InterruptedException ex) {
                throw Waits.interrupted("an endpoint with a free turn slot", ex);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * One placement at a time: the chosen endpoint counts the placement before the next placer
     * chooses (else a burst of placers all see the same counts and pick the same endpoint).
     *
     * @return the endpoint, its {@code placing} counted (the caller uncounts it), or null when none
     *     is connected with a free slot
     */
    private Endpoint choose() {
        placing.lock();
        try {
            List<Endpoint> candidates = endpoints.stream().filter(Endpoint::admits).toList();
            if (candidates.isEmpty()) {
                return null;
            }
            Endpoint e = Objects.requireNonNull(placement.choose(candidates), "placement chose no endpoint");
            if (!candidates.contains(e)) {
                throw new IllegalStateException("placement chose " + e + ", not one of its candidates " + candidates);
            }
            e.placing.incrementAndGet();
            return e;
        } finally {
            placing.unlock();
        }
    }

    /**
     * An endpoint's options, derived from its builder's without touching the builder: supervised
     * (unless the endpoint has its own supervision) and with the fleet's admission limit.
     */
    private CodexOptions endpointOptions(CodexOptions o) {
        if (!o.isSupervised()) {
            o = o.withSupervision(supervision);
        }
        if (maxTurnsPerEndpoint < Integer.MAX_VALUE) {
            o = o.withAdmission(maxTurnsPerEndpoint, admissionWait);
        }
        return o;
    }

    private CodexThread remember(Endpoint e, CodexThread thread) {
        Endpoint before = homes.put(thread.id(), e);
        if (before != e) {
            e.remembered.incrementAndGet();
            if (before != null) {
                before.remembered.decrementAndGet();
            }
        }
        return thread;
    }

    /**
     * Any thread, never blocks: an endpoint's state changed or a slot was freed. Counts the change
     * (a placer that saw an older count looks again instead of waiting) and wakes waiters if the
     * lock is free; it takes no lock a caller may wait for (it runs as a turn's release action).
     */
    private void signal() {
        changes.incrementAndGet();
        if (lock.tryLock()) {
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops the refresher and waits for it, bounded as the closers are (its work in hand, a connect
     * or a close, is bounded by the same timeouts).
     */
    private void stopRefresher() {
        Thread t = refresher;
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        stopRefresh = true;
        t.interrupt();
        Waits.joinAll(List.of(t), closeBound(), "the fleet's DNS refresher", LOG);
    }

    /**
     * The refresher's state and rounds. Its first round runs in the constructor, every later one on
     * the refresher (thread {@code codex4j-fleet-dns}), the one writer of {@link #endpoints} once
     * the fleet is built: it resolves the name every refresh interval, connects new addresses,
     * drains vanished ones and closes drained ones once idle (looked at every 100 ms while one
     * drains). It ends when the fleet closes or shuts down.
     */
    private final class Refresh {
        private final DnsEndpoints dns;
        private final String host;
        /** Whether the last resolution failed (and that was logged). */
        private boolean failing;
        /** Addresses that could not be connected (each logged once until it connects). */
        private final Set<InetAddress> unreachable = new HashSet<>();
        private long nextResolve;

        Refresh(DnsEndpoints dns) {
            this.dns = dns;
            this.host = dns.name().getHost();
        }

        void resolve() {
            nextResolve = System.nanoTime() + dns.refreshEvery().toNanos();
            List<InetAddress> found;
            try {
                found = List.copyOf(dns.resolver().resolve(host));
                if (found.isEmpty()) {
                    throw new java.net.UnknownHostException("no address for " + host);
                }
            } catch (Exception e) {
                if (!failing) {
                    failing = true;
                    LOG.log(System.Logger.Level.WARNING, "Cannot resolve the fleet's endpoints " + dns.name()
                            + " (keeping the last good set " + addresses() + "; logged once until it resolves): " + e);
                }
                return;
            }
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "The fleet's endpoints " + dns.name() + " resolve again: " + found);
            }
            unreachable.retainAll(found);
            apply(dns, new LinkedHashSet<>(found), unreachable);
        }

        void loop() {
            while (!stopRefresh) {
                try {
                    long untilResolve = Math.max(0, nextResolve - System.nanoTime());
                    boolean anyDraining = endpoints.stream().anyMatch(Endpoint::isDraining);
                    long nap = anyDraining ? Math.min(untilResolve, 100_000_000L) : untilResolve;
                    if (nap > 0) {
                        Thread.sleep(nap / 1_000_000L, (int) (nap % 1_000_000L));
                    }
                    if (stopRefresh) {
                        return;
                    }
                    if (System.nanoTime() - nextResolve >= 0) {
                        resolve();
                    }
                    retire();
                } catch (InterruptedException e) {
                    return; // closing
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "The fleet's DNS refresher failed a round; it goes on", e);
                }
            }
        }
    }

    private List<InetAddress> addresses() {
        return endpoints.stream().filter(e -> e.address != null && e.drained == null).map(e -> e.address).toList();
    }

    /** Refresher only: the name now yields {@code found}. */
    private void apply(DnsEndpoints dns, Set<InetAddress> found, Set<InetAddress> unreachable) {
        List<Endpoint> next = new ArrayList<>(endpoints);
        Set<InetAddress> present = new HashSet<>();
        for (Endpoint e : next) {
            if (e.address == null) {
                continue;
            }
            present.add(e.address); // a draining one too: its address comes back once it is closed
            if (!found.contains(e.address) && e.drained == null) {
                e.drainDeadlineNanos = System.nanoTime() + dns.drainGrace().toNanos();
                e.drained = "was drained: its address " + e.address.getHostAddress() + " left " + dns.name();
                e.codex.session().admission().drain("Endpoint " + e.name + " " + e.drained);
                LOG.log(System.Logger.Level.INFO, "Draining endpoint " + e.name + ": its address left " + dns.name());
            }
        }
        for (InetAddress a : found) {
            if (present.contains(a) || stopRefresh) {
                continue;
            }
            String name = dns.name().getHost() + "/" + a.getHostAddress() + ":" + dns.name().getPort();
            try {
                Endpoint e = newEndpoint(name, dns.builderFor(a), a);
                if (stopRefresh) {
                    e.codex.close();
                    return;
                }
                next.add(e);
                unreachable.remove(a);
                LOG.log(System.Logger.Level.INFO, "Endpoint " + name + " joined the fleet");
            } catch (RuntimeException ex) {
                if (stopRefresh) {
                    return; // closing: the connect was interrupted
                }
                if (unreachable.add(a)) {
                    LOG.log(System.Logger.Level.WARNING, "Endpoint " + name + " of " + dns.name()
                            + " cannot be reached; tried again every refresh (logged once): " + ex);
                }
            }
        }
        publish(next);
    }

    /** Refresher only: closes and removes drained endpoints that are idle or past their grace. */
    private void retire() {
        List<Endpoint> gone = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.drained != null && (e.codex.state() == Codex.State.CLOSED || (idle(e) && e.placing.get() == 0)
                    || System.nanoTime() - e.drainDeadlineNanos >= 0)) {
                gone.add(e);
            }
        }
        if (gone.isEmpty()) {
            return;
        }
        gone.forEach(this::releaseAll); // while it is still listed (draining): a resume meanwhile waits for it
        List<Endpoint> next = new ArrayList<>(endpoints);
        next.removeAll(gone);
        publish(next);
        for (Endpoint e : gone) {
            e.codex.close();
            LOG.log(System.Logger.Level.INFO, "Endpoint " + e.name + " left the fleet (" + e.drained + ")");
        }
    }

    /**
     * Refresher only: before a drained endpoint's client is closed, releases the threads the fleet
     * remembers on it (with shared storage, so that another endpoint may resume them while their old
     * server runs on), within one request timeout in all; one that fails is logged (a later resume
     * of it elsewhere then fails naming both endpoints).
     */
    private void releaseAll(Endpoint e) {
        if (!sharedStorage || !e.codex.isConnected()) {
            return; // without shared storage no other endpoint may resume them; a server that is gone holds none
        }
        List<String> mine;
        synchronized (homes) {
            mine = homes.entrySet().stream().filter(h -> h.getValue() == e).map(Map.Entry::getKey).toList();
        }
        Deadline all = Deadline.after(e.codex.session().requestTimeout());
        for (String id : mine) {
            if (all.isExpired()) {
                LOG.log(System.Logger.Level.WARNING, "Endpoint " + e.name + " is closed before " + id
                        + " and later threads were released: the request timeout passed");
                return;
            }
            try {
                release(e, id, null);
            } catch (CodexException ex) {
                LOG.log(System.Logger.Level.WARNING, ex.getMessage());
            }
        }
    }

    private static boolean idle(Endpoint e) {
        try {
            return e.codex.session().admission().awaitIdle(Deadline.after(Duration.ZERO));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void publish(List<Endpoint> next) {
        endpoints = List.copyOf(next);
        signal();
    }

    /**
     * Builds a {@link CodexFleet}: one {@link CodexBuilder} per endpoint, configured as for a
     * single client (transport, auth, timeouts, approval handler). An endpoint without its own
     * {@link CodexBuilder#supervise} gets the fleet's {@link #supervision}.
     *
     * <pre>{@code
     * CodexFleet fleet = CodexFleet.builder()
     *         .endpoint(Codex.builder().listen(ListenAddress.webSocket()))
     *         .endpoint(Codex.builder().listen(ListenAddress.webSocket()))
     *         .maxTurnsPerEndpoint(8)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final List<CodexBuilder> builders = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private Placement placement = Placement.leastLoaded();
        private int maxTurnsPerEndpoint = Integer.MAX_VALUE;
        private Duration admissionWait = Duration.ofSeconds(5);
        private boolean sharedStorage;
        private int rememberedThreads = 100_000;
        private @Nullable DnsEndpoints dns;
        private Supervision supervision = Supervision.builder().maxRestarts(Integer.MAX_VALUE, Duration.ofMinutes(1)).build();

        private Builder() {}

        /** @return this, with one more endpoint named {@code endpoint-N} (N from 0) */
        public Builder endpoint(CodexBuilder endpoint) {
            return endpoint("endpoint-" + builders.size(), endpoint);
        }

        /** @return this, with one more endpoint */
        public Builder endpoint(String name, CodexBuilder endpoint) {
            Objects.requireNonNull(name, "name");
            if (names.contains(name)) {
                throw new IllegalArgumentException("two endpoints named " + name);
            }
            builders.add(Objects.requireNonNull(endpoint, "endpoint"));
            names.add(name);
            return this;
        }

        /**
         * Endpoints found by a DNS name, re-resolved at an interval (see {@link DnsEndpoints}); they
         * come after those given by {@link #endpoint}, if any. One name per fleet.
         *
         * @return this
         */
        public Builder endpoints(DnsEndpoints dns) {
            this.dns = Objects.requireNonNull(dns, "dns");
            return this;
        }

        /** @return this, with how new threads are placed (default {@link Placement#leastLoaded()}) */
        public Builder placement(Placement placement) {
            this.placement = Objects.requireNonNull(placement, "placement");
            return this;
        }

        /** @return this, with the most turns that run on one endpoint at once (unlimited by default) */
        public Builder maxTurnsPerEndpoint(int turns) {
            if (turns < 1) {
                throw new IllegalArgumentException("maxTurnsPerEndpoint must be positive: " + turns);
            }
            this.maxTurnsPerEndpoint = turns;
            return this;
        }

        /**
         * @return this, with how long a new thread (or a turn on a full endpoint) waits for a free
         *     slot before {@link CapacityExceededException} (5 s)
         */
        public Builder admissionWait(Duration wait) {
            if (Objects.requireNonNull(wait, "wait").isNegative()) {
                throw new IllegalArgumentException("admissionWait must not be negative: " + wait);
            }
            this.admissionWait = wait;
            return this;
        }

        /**
         * Declares that every endpoint reads and writes the same thread storage (one
         * {@code CODEX_HOME} on a shared file system): then a thread unknown to this fleet, and a
         * fork, may be placed on any endpoint. Off by default: a thread lives on the endpoint that
         * created it.
         *
         * @return this
         */
        public Builder sharedStorage(boolean shared) {
            this.sharedStorage = shared;
            return this;
        }

        /**
         * @return this, with the supervision of endpoints whose builder has none (by default: 100 ms
         *     to 10 s backoff, never giving up, since a fleet outlives any one server)
         */
        public Builder supervision(Supervision supervision) {
            this.supervision = Objects.requireNonNull(supervision, "supervision");
            return this;
        }

        /** How many thread ids the fleet remembers the endpoint of (internal: tests). */
        Builder rememberedThreads(int threads) {
            this.rememberedThreads = threads;
            return this;
        }

        /**
         * Builds every endpoint's client (each starts its child or connects, and does its handshake).
         *
         * @return the fleet
         * @throws IllegalStateException when no endpoint was given
         * @throws dev.codex4j.errors.AuthenticationException when an endpoint refuses its token
         *     (the endpoints built so far are closed)
         * @throws TransportClosedException when an endpoint cannot be reached
         */
        public CodexFleet build() {
            if (builders.isEmpty() && dns == null) {
                throw new IllegalStateException("a fleet needs at least one endpoint or a DNS name of endpoints");
            }
            return new CodexFleet(this);
        }
    }
}
