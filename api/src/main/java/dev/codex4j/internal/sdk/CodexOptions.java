package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.CodexEventListener;
import dev.codex4j.Supervision;
import dev.codex4j.VersionPolicy;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.protocol.AppServerLaunch;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A client's whole configuration as one immutable value: what {@code CodexBuilder} builds, what a
 * {@link Session} runs with, and what {@code CodexFleet} derives each endpoint's configuration from
 * ({@link #withSupervision}, {@link #withAdmission}) without touching the caller's builder.
 *
 * @param launch how to start the child (executable, working directory, environment and config overrides applied)
 * @param transport how to open the link (stdio, a listening child, a remote endpoint, streams)
 * @param link socket-link settings (TLS, keep-alive)
 * @param connectionOptions the runtime's tuning (line bound, memory bound, overload retries, coalescing)
 * @param clientName the name sent in {@code initialize}
 * @param clientTitle the title sent in {@code initialize}
 * @param clientVersion the version sent in {@code initialize}
 * @param experimentalApi whether to opt in to experimental protocol members
 * @param versionPolicy what to do with the server's CLI version
 * @param optOutNotifications notification methods the server is asked not to send
 * @param requestTimeout the default timeout of every request
 * @param closeTimeout how long close() waits for the child to exit
 * @param handshakeTimeout how long the handshake may take
 * @param turnWatchdog the silence after which a turn is reconciled with thread/read (zero: off)
 * @param checkAuthentication whether to read the account after the handshake
 * @param approvalHandler the client's handler of server requests
 * @param inbox the approval inbox, or null
 * @param eventListener the user's listener, or null
 * @param subscriptionBuffer how many notifications wait per subscription
 * @param maxDelay the default latency budget of {@code events()} streams and subscriptions
 * @param reconnectTimeout how long a turn waits while the model is unreachable (zero: no limit)
 * @param supervision restart the server when lost, or null for no supervision
 * @param maxConcurrentTurns the most turns at once ({@link Integer#MAX_VALUE}: no limit)
 * @param admissionWait how long a turn over the limit waits for a slot
 * @param usage usage, cost, budgets and rate limits (issue 25)
 */
public record CodexOptions(
        AppServerLaunch launch,
        Transports.Factory transport,
        LinkOptions link,
        ConnectionOptions connectionOptions,
        String clientName,
        String clientTitle,
        String clientVersion,
        boolean experimentalApi,
        VersionPolicy versionPolicy,
        List<String> optOutNotifications,
        Duration requestTimeout,
        Duration closeTimeout,
        Duration handshakeTimeout,
        Duration turnWatchdog,
        boolean checkAuthentication,
        ApprovalHandler approvalHandler,
        @Nullable ApprovalInbox inbox,
        @Nullable CodexEventListener eventListener,
        int subscriptionBuffer,
        Duration maxDelay,
        Duration reconnectTimeout,
        @Nullable Supervision supervision,
        int maxConcurrentTurns,
        Duration admissionWait,
        UsageOptions usage) {

    /** Checks and copies. */
    public CodexOptions {
        Objects.requireNonNull(launch, "launch");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(connectionOptions, "connectionOptions");
        Objects.requireNonNull(approvalHandler, "approvalHandler");
        Objects.requireNonNull(versionPolicy, "versionPolicy");
        Objects.requireNonNull(maxDelay, "maxDelay");
        optOutNotifications = List.copyOf(optOutNotifications);
        Objects.requireNonNull(usage, "usage");
    }

    /** @return whether the server is restarted when lost */
    public boolean isSupervised() {
        return supervision != null;
    }

    /** @return these options with this supervision */
    public CodexOptions withSupervision(Supervision s) {
        return new CodexOptions(launch, transport, link, connectionOptions, clientName, clientTitle, clientVersion,
                experimentalApi, versionPolicy, optOutNotifications, requestTimeout, closeTimeout, handshakeTimeout, turnWatchdog,
                checkAuthentication, approvalHandler, inbox, eventListener, subscriptionBuffer, maxDelay, reconnectTimeout,
                Objects.requireNonNull(s, "supervision"), maxConcurrentTurns, admissionWait, usage);
    }

    /** @return these options with this admission limit and wait */
    public CodexOptions withAdmission(int turns, Duration wait) {
        return new CodexOptions(launch, transport, link, connectionOptions, clientName, clientTitle, clientVersion,
                experimentalApi, versionPolicy, optOutNotifications, requestTimeout, closeTimeout, handshakeTimeout, turnWatchdog,
                checkAuthentication, approvalHandler, inbox, eventListener, subscriptionBuffer, maxDelay, reconnectTimeout,
                supervision, turns, wait, usage);
    }

    /** @return the link settings the transport opens with (its connect timeout is the handshake's) */
    public LinkOptions linkOptions() {
        return link.withConnectTimeout(handshakeTimeout);
    }

    /** @return the runtime's options: the request timeout, and losses as {@code ServerLostException} when supervised */
    public ConnectionOptions runtimeOptions() {
        return connectionOptions.toBuilder().requestTimeout(requestTimeout).serverLostOnFailure(isSupervised()).build();
    }
}
