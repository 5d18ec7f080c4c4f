package dev.codex4j.micrometer;

import dev.codex4j.ApprovalRequest;
import dev.codex4j.Codex;
import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexFleet;
import dev.codex4j.RunResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer metrics of codex4j clients: a {@link CodexEventListener} that counts and times turns,
 * tokens, server requests, tool calls and JSON-RPC requests, plus {@link #monitor gauges} of a
 * client's connection, restarts and running turns. Usable without Spring; the Spring Boot
 * starter registers one as a bean.
 *
 * <pre>{@code
 * CodexMetrics metrics = new CodexMetrics(registry);
 * Codex codex = Codex.builder().eventListener(metrics).build();
 * metrics.monitor(codex, "default");
 * }</pre>
 *
 * <p>Every tag has a bounded set of values: statuses, decisions, kinds, protocol methods, model
 * names and the application's own tool names; never thread or turn ids. The names follow
 * Micrometer's conventions (dotted, lower case; a registry renders them for its backend) and, for
 * a turn's duration and tokens, the OpenTelemetry GenAI semantic conventions
 * ({@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage}). The list is in
 * docs/OBSERVABILITY.md.
 *
 * <p>Threads: the callbacks run on the SDK's threads (see {@link CodexEventListener}); each only
 * looks a meter up in the registry and records into it, which Micrometer makes safe from any
 * thread. Holds no state of its own but the registry and the common tags.
 */
public final class CodexMetrics implements CodexEventListener {
    /** Turns the server accepted ({@code turn/start}). */
    public static final String TURNS_STARTED = "codex.turns.started";
    /** Turns folded by their consumer, by {@code status} and {@code gen_ai.request.model}. */
    public static final String TURNS_COMPLETED = "codex.turns.completed";
    /** A turn's duration (OpenTelemetry GenAI: the {@code invoke_agent} operation). */
    public static final String TURN_DURATION = "gen_ai.client.operation.duration";
    /** Tokens of a turn, by {@code gen_ai.token.type} ({@code input}, {@code output}) and model. */
    public static final String TOKEN_USAGE = "gen_ai.client.token.usage";
    /** Requests of the server (approvals, questions, tool calls) by {@code kind} and {@code decision}, with their latency. */
    public static final String SERVER_REQUESTS = "codex.server.requests";
    /** Client-side tool calls by {@code gen_ai.tool.name} and {@code outcome}, with how long they ran. */
    public static final String TOOL_CALLS = "codex.tool.calls";
    /** JSON-RPC requests of the client by {@code method} and {@code outcome}, with their latency. */
    public static final String REQUESTS = "codex.requests";
    /** Requests sent again because the server said it was overloaded, by {@code method}. */
    public static final String REQUEST_RETRIES = "codex.requests.retries";
    /** Messages nobody would read, dropped. */
    public static final String MESSAGES_DROPPED = "codex.messages.dropped";
    /** Restarts or reconnects of a supervised client's server ({@link #monitor}). */
    public static final String RESTARTS = "codex.restarts";
    /** 1 while a client is connected, else 0 ({@link #monitor}). */
    public static final String CONNECTED = "codex.connected";
    /** Turns running through a client now ({@link #monitor}). */
    public static final String ACTIVE_TURNS = "codex.turns.active";
    /** The dispatcher's lag in its last read batch, in seconds ({@link Codex#dispatcherLag()}; {@link #monitor}). */
    public static final String DISPATCHER_LAG = "codex.dispatcher.lag";

    private static final String OPERATION = "gen_ai.operation.name";
    private static final String MODEL = "gen_ai.request.model";
    private static final String UNKNOWN = "unknown";

    private final MeterRegistry registry;
    private final Tags common;
    private final Counter turnsStarted;

    /** @param registry where the meters go */
    public CodexMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /**
     * @param registry where the meters go
     * @param common tags added to every meter (for example {@code client=orders}); keep them few and bounded
     */
    public CodexMetrics(MeterRegistry registry, Iterable<Tag> common) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = Tags.of(Objects.requireNonNull(common, "common"));
        this.turnsStarted = Counter.builder(TURNS_STARTED).description("Turns the server accepted")
                .tags(this.common).register(registry);
    }

    /**
     * Registers gauges of a client: {@value #CONNECTED}, {@value #RESTARTS} (a function counter) and
     * {@value #ACTIVE_TURNS}, {@value #DISPATCHER_LAG}, tagged {@code client=name}. The meters hold the client weakly.
     *
     * @param codex the client
     * @param name its name in the {@code client} tag (bounded: one per client the application has)
     * @return this
     */
    public CodexMetrics monitor(Codex codex, String name) {
        Tags tags = common.and("client", Objects.requireNonNull(name, "name"));
        Gauge.builder(CONNECTED, codex, c -> c.isConnected() ? 1 : 0).description("1 while the client is connected")
                .tags(tags).register(registry);
        FunctionCounter.builder(RESTARTS, codex, Codex::restarts)
                .description("Restarts or reconnects of the client's app-server").tags(tags).register(registry);
        Gauge.builder(ACTIVE_TURNS, codex, Codex::activeTurns).description("Turns running through the client")
                .tags(tags).register(registry);
        Gauge.builder(DISPATCHER_LAG, codex, c -> c.dispatcherLag().toNanos() / 1e9).baseUnit("seconds")
                .description("The dispatcher's lag in its last read batch: first read to the end of its wake-ups")
                .tags(tags).register(registry);
        return this;
    }

    /**
     * {@link #monitor(Codex, String)} for every endpoint of a fleet, each named by its endpoint's name.
     *
     * @param fleet the fleet
     * @return this
     */
    public CodexMetrics monitor(CodexFleet fleet) {
        for (CodexFleet.Endpoint e : fleet.endpoints()) {
            monitor(e.client(), e.name());
        }
        return this;
    }

    @Override
    public void turnStarted(TurnStarted e) {
        turnsStarted.increment();
    }

    @Override
    public void turnCompleted(TurnCompleted e) {
        RunResult r = e.result();
        String model = e.model() == null ? UNKNOWN : e.model();
        String status = r.status().value();
        Counter.builder(TURNS_COMPLETED).description("Turns folded by their consumer")
                .tags(common).tag("status", status).tag(MODEL, model).register(registry).increment();
        Timer.builder(TURN_DURATION).description("Duration of a turn, from turn/start to turn/completed")
                .tags(common).tag(OPERATION, "invoke_agent").tag(MODEL, model).tag("status", status)
                .register(registry).record(r.durationMs(), TimeUnit.MILLISECONDS);
        // The turn's own usage over all its model calls (RunResult.turnUsage(), issue 25).
        r.turnUsage().ifPresent(u -> {
            tokens(model, "input", u.inputTokens());
            tokens(model, "output", u.outputTokens());
        });
    }

    private void tokens(String model, String type, long count) {
        DistributionSummary.builder(TOKEN_USAGE).description("Tokens used by a turn").baseUnit("tokens")
                .tags(common).tag(OPERATION, "invoke_agent").tag(MODEL, model).tag("gen_ai.token.type", type)
                .register(registry).record(count);
    }

    @Override
    public void serverRequestAnswered(ServerRequestAnswered e) {
        Timer.builder(SERVER_REQUESTS).description("Requests of the server, from arrival to answer")
                .tags(common).tag("kind", kind(e.request())).tag("decision", decision(e.decision()))
                .register(registry).record(e.latency());
    }

    @Override
    public void toolCallEnded(ToolCallEnded e) {
        Timer.builder(TOOL_CALLS).description("Client-side tool calls").tags(common)
                .tag("gen_ai.tool.name", e.call().params().tool()).tag("outcome", e.success() ? "success" : "failure")
                .register(registry).record(e.latency());
    }

    @Override
    public void requestEnded(RequestEnded e) {
        request(e.method(), "success").record(e.latency());
    }

    @Override
    public void requestFailed(RequestFailed e) {
        request(e.method(), "failure").record(e.latency());
    }

    private Timer request(String method, String outcome) {
        return Timer.builder(REQUESTS).description("JSON-RPC requests of the client").tags(common)
                .tag("method", method).tag("outcome", outcome).register(registry);
    }

    @Override
    public void requestRetried(RequestRetried e) {
        Counter.builder(REQUEST_RETRIES).description("Requests sent again after the server said it was overloaded")
                .tags(common).tag("method", e.method()).register(registry).increment();
    }

    @Override
    public void messageDropped(MessageDropped e) {
        Counter.builder(MESSAGES_DROPPED).description("Messages nobody would read, dropped").tags(common)
                .register(registry).increment();
    }

    /** The request's kind: the simple name of its {@link ApprovalRequest} variant, in snake case. */
    static String kind(ApprovalRequest request) {
        return switch (request) {
            case ApprovalRequest.Command c -> "command";
            case ApprovalRequest.FileChange f -> "file_change";
            case ApprovalRequest.Permissions p -> "permissions";
            case ApprovalRequest.McpElicitation m -> "mcp_elicitation";
            case ApprovalRequest.UserInput u -> "user_input";
            case ApprovalRequest.ToolCall t -> "tool_call";
            case ApprovalRequest.ExecCommandApproval x -> "exec_command";
            case ApprovalRequest.ApplyPatchApproval a -> "apply_patch";
            case ApprovalRequest.Unknown u -> UNKNOWN;
        };
    }

    /** The decision, with an error reply's code folded into {@code error} (bounded). */
    static String decision(@Nullable String decision) {
        if (decision == null || decision.isEmpty()) {
            return UNKNOWN;
        }
        return decision.startsWith("error") ? "error" : decision;
    }
}
