package dev.codex4j.testkit;

import java.time.Duration;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One thing a {@link FakeAppServer} does when a rule of its {@link FakeAppServer.Script} fires:
 * answer the request, send a message, a raw line, a server request, wait, end the stream, exit,
 * or emit a high-rate burst. Steps are plain data, so a script also runs in a child process.
 *
 * <p>Strings inside JSON may hold placeholders, replaced when the step runs: {@code ${id}} (the
 * request id; a whole-string {@code "${id}"} keeps its JSON type), {@code ${method}},
 * {@code ${threadId}} (from the params, or a fresh id for {@code thread/start}), {@code ${turnId}}
 * (from the params, or a fresh id for {@code turn/start}), {@code ${itemId}} (fresh),
 * {@code ${text}} (the text of the request's {@code input}), {@code ${clientName}},
 * {@code ${serverRequestId}} (the id of the last server request sent).
 *
 * <pre>{@code
 * import static dev.codex4j.testkit.ScriptStep.*;
 *
 * FakeAppServer.script()
 *     .onRequest("thread/start", 2, error(-32001, "Server overloaded; retry later."))
 *     .onRequest("turn/start",
 *         send(AppServerMessages.turnCompleted("${threadId}", "${turnId}", "completed")),
 *         respond(AppServerMessages.turnStartResult("${turnId}")));
 * }</pre>
 */
public sealed interface ScriptStep {

    /** Answers the triggering request with this result. */
    record Respond(JsonNode result) implements ScriptStep {}

    /** Answers the triggering request with a JSON-RPC error. */
    record RespondError(int code, String message, JsonNode data) implements ScriptStep {}

    /** Writes a JSON message as one line; notifications get {@code emittedAtMs} if missing. */
    record Send(JsonNode message) implements ScriptStep {}

    /** Writes text as is, with or without a trailing newline (garbage, truncated JSON). */
    record Raw(String text, boolean newline) implements ScriptStep {}

    /** Writes a valid {@code item/completed} line of about this many bytes. */
    record LargeLine(int bytes) implements ScriptStep {}

    /** Waits. */
    record Delay(long millis) implements ScriptStep {}

    /** Sends a server-to-client request; optionally waits (bounded) for the client's reply. */
    record ServerRequest(String method, JsonNode params, boolean awaitReply, long timeoutMillis)
            implements ScriptStep {}

    /** Sends the notifications of a complete simple turn for {@code ${threadId}}/{@code ${turnId}}. */
    record SimpleTurn(String answer) implements ScriptStep {}

    /** Writes a line to stderr. */
    record Stderr(String line) implements ScriptStep {}

    /** Closes stdout: the client sees end of stream. */
    record Eof() implements ScriptStep {}

    /** Ends the server with this exit code. */
    record Exit(int code) implements ScriptStep {}

    /**
     * Emits, as fast as the pipe takes them, {@code turnsPerThread} turns on each of
     * {@code threads} threads. Each turn is {@code turn/started}, {@code deltasPerTurn}
     * {@code item/agentMessage/delta}, one {@code item/completed} agent message of about
     * {@code completedBytes} bytes after every {@code completedEvery} deltas, and
     * {@code turn/completed}. The threads' lines interleave. With one thread and one turn the ids are
     * {@code ${threadId}} and {@code ${turnId}}; otherwise {@code burst-thread-T} and
     * {@code burst-turn-T-K}.
     */
    record Burst(int threads, int turnsPerThread, int deltasPerTurn, int completedEvery, int completedBytes)
            implements ScriptStep {
        /** @throws IllegalArgumentException when a count is out of range */
        public Burst {
            if (threads < 1 || turnsPerThread < 1 || deltasPerTurn < 0 || completedEvery < 1 || completedBytes < 0) {
                throw new IllegalArgumentException("burst needs threads>=1, turns>=1, deltas>=0, completedEvery>=1,"
                        + " completedBytes>=0");
            }
        }

        /** @return how many lines the burst writes */
        public long lineCount() {
            return (long) threads * turnsPerThread * (2 + deltasPerTurn + deltasPerTurn / completedEvery);
        }
    }

    /**
     * Streams one turn for {@code ${threadId}}/{@code ${turnId}} at a steady pace, each line
     * flushed on its own (line-by-line arrival, as from the real CLI): {@code turn/started}, then
     * {@code deltas} {@code item/agentMessage/delta} at {@code perSecond} per second (0: as fast as
     * possible), then the agent message's {@code item/completed} with the whole text, then
     * {@code turn/completed}. Each delta's text is {@code "<seq>:<nanoTime> "}: its sequence number
     * in the turn (from 0) and when it was written ({@link System#nanoTime()}, the same clock in
     * every process of a Linux machine), so a consumer can check that every delta came exactly
     * once and in order, and measure the latency it added.
     */
    record PacedTurn(int deltas, int perSecond) implements ScriptStep {
        /** @throws IllegalArgumentException when a count is negative */
        public PacedTurn {
            if (deltas < 0 || perSecond < 0) {
                throw new IllegalArgumentException("pacedTurn needs deltas >= 0 and perSecond >= 0");
            }
        }

        /** @return how many notifications the turn writes */
        public int lineCount() {
            return deltas + 3;
        }
    }

    /** @return a {@link PacedTurn} of {@code deltas} deltas at {@code perSecond} per second */
    static ScriptStep pacedTurn(int deltas, int perSecond) {
        return new PacedTurn(deltas, perSecond);
    }

    /** @return a step answering the request with {@code result} */
    static ScriptStep respond(JsonNode result) {
        return new Respond(Objects.requireNonNull(result, "result"));
    }

    /** @return a step answering the request with an empty object result */
    static ScriptStep respondEmpty() {
        return new Respond(Json.object());
    }

    /** @return a step answering the request with a JSON-RPC error */
    static ScriptStep error(int code, String message) {
        return new RespondError(code, Objects.requireNonNull(message, "message"), Json.MAPPER.nullNode());
    }

    /** @return the real server's overload reply, -32001 */
    static ScriptStep overloaded() {
        return error(-32001, "Server overloaded; retry later.");
    }

    /** @return a step writing a whole message (see {@link AppServerMessages}) */
    static ScriptStep send(JsonNode message) {
        return new Send(Objects.requireNonNull(message, "message"));
    }

    /** @return a step writing a notification */
    static ScriptStep notify(String method, JsonNode params) {
        return new Send(AppServerMessages.notification(method, params));
    }

    /** @return a step writing this text plus a newline, unchecked: garbage is welcome */
    static ScriptStep raw(String line) {
        return new Raw(Objects.requireNonNull(line, "line"), true);
    }

    /** @return a step writing this text without a newline (then end the stream for a truncated line) */
    static ScriptStep rawNoNewline(String text) {
        return new Raw(Objects.requireNonNull(text, "text"), false);
    }

    /** @return a step writing a valid line of about this many bytes ({@code 1 << 20} for 1 MB) */
    static ScriptStep largeLine(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0");
        }
        return new LargeLine(bytes);
    }

    /** @return a step that waits */
    static ScriptStep delay(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + d);
        }
        return new Delay(d.toMillis());
    }

    /** @return a step sending a server request and waiting up to 30 s for the client's reply */
    static ScriptStep serverRequest(String method, JsonNode params) {
        return new ServerRequest(Objects.requireNonNull(method, "method"), Objects.requireNonNull(params, "params"),
                true, 30_000);
    }

    /** @return a step sending a server request without waiting for the reply */
    static ScriptStep serverRequestNoWait(String method, JsonNode params) {
        return new ServerRequest(Objects.requireNonNull(method, "method"), Objects.requireNonNull(params, "params"),
                false, 0);
    }

    /** @return a step sending a command approval request for the current turn and awaiting the answer */
    static ScriptStep commandApproval(String command) {
        ObjectNode params = AppServerMessages.commandApprovalParams("${threadId}", "${turnId}", "${itemId}",
                command, "the fake server wants to run this");
        return serverRequest("item/commandExecution/requestApproval", params);
    }

    /** @return a step sending the notifications of a complete turn answering {@code answer} */
    static ScriptStep simpleTurn(String answer) {
        return new SimpleTurn(Objects.requireNonNull(answer, "answer"));
    }

    /** @return a step writing a line to stderr */
    static ScriptStep stderr(String line) {
        return new Stderr(Objects.requireNonNull(line, "line"));
    }

    /** @return a step closing stdout */
    static ScriptStep eof() {
        return new Eof();
    }

    /** @return a step ending the server with an exit code */
    static ScriptStep exit(int code) {
        return new Exit(code);
    }

    /** @return a burst with an {@code item/completed} of 2 KB after every 50 deltas */
    static ScriptStep burst(int threads, int turnsPerThread, int deltasPerTurn) {
        return new Burst(threads, turnsPerThread, deltasPerTurn, 50, 2048);
    }

    /** Serialises a step for a child process. */
    static ObjectNode toJson(ScriptStep step) {
        ObjectNode n = Json.object();
        switch (step) {
            case Respond r -> n.put("type", "respond").set("result", r.result());
            case RespondError e -> {
                n.put("type", "error").put("code", e.code()).put("message", e.message());
                n.set("data", e.data());
            }
            case Send s -> n.put("type", "send").set("message", s.message());
            case Raw r -> n.put("type", "raw").put("text", r.text()).put("newline", r.newline());
            case LargeLine l -> n.put("type", "largeLine").put("bytes", l.bytes());
            case Delay d -> n.put("type", "delay").put("millis", d.millis());
            case ServerRequest s -> {
                n.put("type", "serverRequest").put("method", s.method()).put("awaitReply", s.awaitReply())
                        .put("timeoutMillis", s.timeoutMillis());
                n.set("params", s.params());
            }
            case SimpleTurn t -> n.put("type", "simpleTurn").put("answer", t.answer());
            case Stderr s -> n.put("type", "stderr").put("line", s.line());
            case Eof e -> n.put("type", "eof");
            case Exit e -> n.put("type", "exit").put("code", e.code());
            case Burst b -> n.put("type", "burst").put("threads", b.threads()).put("turnsPerThread", b.turnsPerThread())
                    .put("deltasPerTurn", b.deltasPerTurn()).put("completedEvery", b.completedEvery())
                    .put("completedBytes", b.completedBytes());
            case PacedTurn t -> n.put("type", "pacedTurn").put("deltas", t.deltas()).put("perSecond", t.perSecond());
        }
        return n;
    }

    /** Reads a step written by {@link #toJson}. */
    static ScriptStep fromJson(JsonNode n) {
        String type = n.path("type").asString("");
        return switch (type) {
            case "respond" -> new Respond(n.get("result"));
            case "error" -> new RespondError(n.path("code").asInt(), n.path("message").asString(""), n.path("data"));
            case "send" -> new Send(n.get("message"));
            case "raw" -> new Raw(n.path("text").asString(""), n.path("newline").asBoolean());
            case "largeLine" -> new LargeLine(n.path("bytes").asInt());
            case "delay" -> new Delay(n.path("millis").asLong());
            case "serverRequest" -> new ServerRequest(n.path("method").asString(), n.get("params"),
                    n.path("awaitReply").asBoolean(), n.path("timeoutMillis").asLong());
            case "simpleTurn" -> new SimpleTurn(n.path("answer").asString(""));
            case "stderr" -> new Stderr(n.path("line").asString(""));
            case "eof" -> new Eof();
            case "exit" -> new Exit(n.path("code").asInt());
            case "burst" -> new Burst(n.path("threads").asInt(), n.path("turnsPerThread").asInt(),
                    n.path("deltasPerTurn").asInt(), n.path("completedEvery").asInt(), n.path("completedBytes").asInt());
            case "pacedTurn" -> new PacedTurn(n.path("deltas").asInt(), n.path("perSecond").asInt());
            default -> throw new IllegalArgumentException("unknown script step type '" + type + "' in " + n);
        };
    }
}
