package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A conversation with the agent. Runs one turn at a time: starting a second turn while one runs
 * throws (steer the running one instead). Thread-safe; different threads run turns concurrently.
 *
 * <pre>{@code
 * CodexThread thread = codex.startThread();
 * RunResult first = thread.run("Read README.md");
 * RunResult second = thread.run("Now summarise it in one line");
 * }</pre>
 */
public final class CodexThread {
    private static final Object STARTING = new Object();

    private final Codex codex;
    private final String id;
    private final JsonNode info;
    /** null, STARTING (a turn/start in flight), or the running TurnHandle. */
    private final AtomicReference<@Nullable Object> active = new AtomicReference<>();
    private volatile CompletableFuture<@Nullable TurnHandle> starting = CompletableFuture.completedFuture(null);

    CodexThread(Codex codex, String id, JsonNode info) {
        this.codex = codex;
        this.id = id;
        this.info = info;
    }

    /** @return the thread id */
    public String id() {
        return id;
    }

    /**
     * @return the server's reply to the start, resume or fork of this thread ({@code thread},
     *     {@code model}, {@code cwd}, {@code approvalPolicy}, {@code sandbox}, ...)
     */
    public JsonNode info() {
        return info;
    }

    /** Runs a turn with one text input and waits for its result. */
    public RunResult run(String prompt) {
        return turn(List.of(Input.text(prompt)), TurnOptions.defaults()).run();
    }

    /** Runs a turn with these inputs and waits for its result. */
    public RunResult run(List<Input> input) {
        return turn(input, TurnOptions.defaults()).run();
    }

    /** Runs a turn with one text input and options, and waits for its result. */
    public RunResult run(String prompt, TurnOptions options) {
        return turn(List.of(Input.text(prompt)), options).run();
    }

    /** Runs a turn with these inputs and options, and waits for its result. */
    public RunResult run(List<Input> input, TurnOptions options) {
        return turn(input, options).run();
    }

    /**
     * Structured output: derives a JSON Schema from the record type, sends it as the turn's
     * {@code outputSchema}, and parses the final answer into the record.
     *
     * @param prompt the prompt
     * @param type a record type (components of strings, numbers, booleans, enums, lists, nested records)
     * @param <T> the record type
     * @return the parsed answer
     * @throws StructuredOutputException when there is no answer or it does not parse
     */
    public <T> T run(String prompt, Class<T> type) {
        return run(prompt, type, TurnOptions.defaults());
    }

    /** Structured output with options; an {@code outputSchema} in the options wins over the derived one. */
    public <T> T run(String prompt, Class<T> type, TurnOptions options) {
        TurnOptions withSchema = options.outputSchema() != null ? options
                : options.toBuilder().outputSchema(JsonSchemas.of(type)).build();
        RunResult result = run(prompt, withSchema);
        String answer = result.finalResponse().orElseThrow(() -> new StructuredOutputException(
                "Turn " + result.turnId() + " ended " + result.status() + " without an answer to parse as "
                        + type.getSimpleName(), null, null));
        try {
            return ProtocolCodec.mapper().readValue(answer, type);
        } catch (RuntimeException e) {
            throw new StructuredOutputException("The answer does not parse as " + type.getSimpleName() + ": "
                    + e.getMessage(), answer, e);
        }
    }

    /** Starts a turn with one text input. */
    public TurnHandle turn(String prompt) {
        return turn(List.of(Input.text(prompt)), TurnOptions.defaults());
    }

    /** Starts a turn with one text input and options. */
    public TurnHandle turn(String prompt, TurnOptions options) {
        return turn(List.of(Input.text(prompt)), options);
    }

    /**
     * Starts a turn ({@code turn/start}) and returns its handle without waiting for it to end.
     *
     * @param input the input
     * @param options the options
     * @return the running turn
     * @throws IllegalStateException when a turn is already running on this thread
     */
    public TurnHandle turn(List<Input> input, TurnOptions options) {
        Objects.requireNonNull(options, "options");
        if (input.isEmpty()) {
            throw new IllegalArgumentException("a turn needs at least one input");
        }
        CompletableFuture<@Nullable TurnHandle> startFuture = new CompletableFuture<>();
        CompletableFuture<@Nullable TurnHandle> previous = starting;
        starting = startFuture;  // before the claim, so an approval handler never waits on a stale future
        try {
            claim();
        } catch (RuntimeException e) {
            starting = previous;
            startFuture.complete(null);
            throw e;
        }
        TurnHandle handle = null;
        try {
            ObjectNode p = Params.object();
            p.put("threadId", id);
            p.set("input", Input.toJson(input));
            options.writeTo(p);
            long start = System.nanoTime();
            try (var expected = codex.connection().expectTurn(id)) {
                JsonNode r = codex.call("turn/start", p);
                String turnId = r.path("turn").path("id").asString(null);
                if (turnId == null) {
                    throw new dev.codex4j.protocol.ProtocolException("turn/start reply has no turn.id", r.toString(), null);
                }
                handle = new TurnHandle(this, turnId, codex.connection().turnMailbox(id, turnId), options, start);
            }
            active.set(handle);
            return handle;
        } finally {
            if (handle == null) {
                active.set(null);
                codex.turnIdle(this);
            }
            startFuture.complete(handle);
        }
    }

    /** Reads the thread from the server ({@code thread/read}), with its turns when asked. */
    public JsonNode read(boolean includeTurns) {
        ObjectNode p = Params.object();
        p.put("threadId", id);
        p.put("includeTurns", includeTurns);
        return codex.call("thread/read", p);
    }

    /** @return {@link #read(boolean)} without turns */
    public JsonNode read() {
        return read(false);
    }

    /** Names the thread ({@code thread/name/set}). */
    public void setName(String name) {
        ObjectNode p = Params.object();
        p.put("threadId", id);
        p.put("name", Objects.requireNonNull(name, "name"));
        codex.call("thread/name/set", p);
    }

    /** Starts compaction of the thread's history ({@code thread/compact/start}). */
    public void compact() {
        ObjectNode p = Params.object();
        p.put("threadId", id);
        codex.call("thread/compact/start", p);
    }

    /** @return the running turn, if any */
    public java.util.Optional<TurnHandle> activeTurn() {
        return active.get() instanceof TurnHandle h && !h.isCompleted() ? java.util.Optional.of(h)
                : java.util.Optional.empty();
    }

    Codex codex() {
        return codex;
    }

    void turnEnded(TurnHandle handle) {
        if (active.compareAndSet(handle, null)) {
            codex.turnIdle(this);
        }
    }

    /** The running turn with this id, waiting briefly if its turn/start reply is still in flight. */
    @Nullable TurnHandle turnFor(@Nullable String turnId) {
        Object a = active.get();
        if (a == STARTING) {
            try {
                starting.get(codex.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                return null;
            }
            a = active.get();
        }
        return a instanceof TurnHandle h && (turnId == null || h.id().equals(turnId)) ? h : null;
    }

    /** Whether this object has no turn starting or running (a completed one is noticed and released). */
    boolean releaseIfIdle() {
        Object a = active.get();
        if (a == null) {
            codex.turnIdle(this);
            return true;
        }
        if (a instanceof TurnHandle h && h.pumpIfIdle()) {
            turnEnded(h);
            return true;
        }
        return false;
    }

    private void claim() {
        while (true) {
            Object a = active.get();
            if (a == null) {
                if (active.compareAndSet(null, STARTING)) {
                    try {
                        codex.turnStarting(this);
                    } catch (RuntimeException e) {
                        active.set(null);
                        throw e;
                    }
                    return;
                }
                continue;
            }
            if (a instanceof TurnHandle h && h.pumpIfIdle()) {
                turnEnded(h);
                continue;
            }
            String running = a instanceof TurnHandle h ? h.id() : "(starting)";
            throw new IllegalStateException("Thread " + id + " already has a running turn " + running
                    + ": steer it with TurnHandle.steer(...), interrupt it, or wait for it to complete");
        }
    }
}
