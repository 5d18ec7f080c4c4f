package dev.codex4j.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One scripted answer of the mock model to one {@code POST /v1/responses}: either a server-sent
 * event stream of output items (assistant messages, reasoning summaries, tool calls) ending in
 * {@code response.completed} or {@code response.failed}, or a plain HTTP error.
 *
 * <p>Immutable: every method returns a new reply. Methods named {@code then...} append an output
 * item; {@link #phase}, {@link #deltas} and {@link #callId} change the <em>last</em> item.
 *
 * <pre>{@code
 * server.enqueue(ModelReply.commentary("Let me check.").thenMessage("All good."));
 * server.enqueue(ModelReply.execCommandEscalated("touch x", "needs write access"),
 *                ModelReply.message("Created x."));          // the reply after the tool output
 * server.enqueue(ModelReply.httpError(500));
 * server.enqueue(ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(1)));
 * }</pre>
 */
public final class ModelReply {
    private static final AtomicLong CALL_IDS = new AtomicLong();

    /** Token counts reported in {@code response.completed}. */
    public record Usage(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningOutputTokens) {
        /** @throws IllegalArgumentException when a count is negative */
        public Usage {
            if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0 || reasoningOutputTokens < 0) {
                throw new IllegalArgumentException("token counts must not be negative");
            }
        }

        /** @return input plus output tokens */
        public long totalTokens() {
            return inputTokens + outputTokens;
        }
    }

    sealed interface Output {}

    record Message(String text, @Nullable Phase phase, int deltas) implements Output {}

    record Reasoning(String summary, int deltas) implements Output {}

    record FunctionCall(String name, String callId, String arguments, @Nullable String namespace) implements Output {}

    record CustomToolCall(String name, String callId, String input) implements Output {}

    record Failure(String code, String message) {}

    /** One SSE event: {@code event: type} and its JSON data (which repeats the type). */
    record Event(String type, ObjectNode data) {}

    private static final Usage DEFAULT_USAGE = new Usage(100, 0, 10, 0);

    private final List<Output> outputs;
    private final int status;
    private final @Nullable String errorBody;
    private final @Nullable Failure failure;
    private final Duration eventDelay;
    private final Usage usage;
    private final boolean stall;
    private final int disconnectAfter;

    private ModelReply(List<Output> outputs, int status, @Nullable String errorBody, @Nullable Failure failure,
            Duration eventDelay, Usage usage, boolean stall, int disconnectAfter) {
        this.outputs = List.copyOf(outputs);
        this.status = status;
        this.errorBody = errorBody;
        this.failure = failure;
        this.eventDelay = eventDelay;
        this.usage = usage;
        this.stall = stall;
        this.disconnectAfter = disconnectAfter;
    }

    private static ModelReply of(Output output) {
        return new ModelReply(List.of(output), 200, null, null, Duration.ZERO, DEFAULT_USAGE, false, -1);
    }

    private ModelReply with(List<Output> newOutputs) {
        return new ModelReply(newOutputs, status, errorBody, failure, eventDelay, usage, stall, disconnectAfter);
    }

    // ---- factories -------------------------------------------------------------------------

    /** @return a stream with no output items, just {@code response.created} and {@code response.completed} */
    public static ModelReply empty() {
        return new ModelReply(List.of(), 200, null, null, Duration.ZERO, DEFAULT_USAGE, false, -1);
    }

    /** @return an assistant message with phase {@code final_answer}, streamed word by word */
    public static ModelReply message(String text) {
        return message(text, Phase.FINAL_ANSWER);
    }

    /**
     * @param phase the phase, or {@code null} for a message without one (as older models send)
     * @return an assistant message streamed word by word
     */
    public static ModelReply message(String text, @Nullable Phase phase) {
        return of(new Message(Objects.requireNonNull(text, "text"), phase, 0));
    }

    /** @return an assistant message with phase {@code commentary} */
    public static ModelReply commentary(String text) {
        return message(text, Phase.COMMENTARY);
    }

    /**
     * A long final answer streamed as exactly {@code deltaCount} text deltas ({@code "w0 w1 w2 ..."}).
     *
     * @param deltaCount how many {@code response.output_text.delta} events, at least 1
     * @return the reply
     */
    public static ModelReply longMessage(int deltaCount) {
        if (deltaCount < 1) {
            throw new IllegalArgumentException("deltaCount must be >= 1, was " + deltaCount);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < deltaCount; i++) {
            sb.append('w').append(i).append(i == deltaCount - 1 ? "" : " ");
        }
        return of(new Message(sb.toString(), Phase.FINAL_ANSWER, deltaCount));
    }

    /** @return a reasoning item whose summary is streamed word by word */
    public static ModelReply reasoning(String summary) {
        return of(new Reasoning(Objects.requireNonNull(summary, "summary"), 0));
    }

    /**
     * A call of the {@code exec_command} tool, the shell tool Codex 0.169.0 advertises by default.
     *
     * @param cmd the shell command line
     * @return the reply; Codex runs the command and sends its output in the next request
     */
    public static ModelReply execCommand(String cmd) {
        ObjectNode args = Json.object().put("cmd", Objects.requireNonNull(cmd, "cmd"));
        return functionCall("exec_command", Json.write(args));
    }

    /**
     * An {@code exec_command} call that asks to run outside the sandbox
     * ({@code sandbox_permissions: "require_escalated"}). With approval policy {@code on-request}
     * and a read-only sandbox, Codex asks the client for approval
     * ({@code item/commandExecution/requestApproval}, whose {@code reason} is the justification).
     *
     * @return the reply
     */
    public static ModelReply execCommandEscalated(String cmd, String justification) {
        ObjectNode args = Json.object().put("cmd", Objects.requireNonNull(cmd, "cmd"))
                .put("sandbox_permissions", "require_escalated")
                .put("justification", Objects.requireNonNull(justification, "justification"));
        return functionCall("exec_command", Json.write(args));
    }

    /**
     * A call of the {@code shell_command} tool. Codex 0.169.0 with the offline configuration does
     * not advertise it (its request's {@code tools} list has {@code exec_command}, even with
     * {@code features.unified_exec=false}): use {@link #execCommand} to run commands, and this to
     * test how a call of a tool that is not offered is handled.
     *
     * @return the reply
     */
    public static ModelReply shellCommand(String command) {
        ObjectNode args = Json.object().put("command", Objects.requireNonNull(command, "command"));
        return functionCall("shell_command", Json.write(args));
    }

    /** @return a {@code shell_command} call asking for escalation with the given justification */
    public static ModelReply shellCommandEscalated(String command, String justification) {
        ObjectNode args = Json.object().put("command", Objects.requireNonNull(command, "command"))
                .put("sandbox_permissions", "require_escalated")
                .put("justification", Objects.requireNonNull(justification, "justification"));
        return functionCall("shell_command", Json.write(args));
    }

    /**
     * Any function call.
     *
     * @param name the tool name, one of the request's {@code tools}
     * @param argumentsJson the arguments as a JSON text, for example {@code {"cmd":"ls"}}
     * @return the reply
     */
    public static ModelReply functionCall(String name, String argumentsJson) {
        Json.parse(Objects.requireNonNull(argumentsJson, "argumentsJson"), "function call arguments");
        return of(new FunctionCall(Objects.requireNonNull(name, "name"), nextCallId(), argumentsJson, null));
    }

    /**
     * A call of a function inside a tool namespace (a request's {@code tools} entry of type
     * {@code namespace}, such as Codex's {@code collaboration} tools of sub-agents).
     *
     * <pre>{@code
     * ModelReply.namespacedFunctionCall("collaboration", "spawn_agent", "{\"task_name\":\"t1\",\"message\":\"check\"}")
     * }</pre>
     *
     * @param namespace the namespace's name
     * @param name the function's name in it
     * @param argumentsJson the arguments as a JSON text
     * @return the reply
     */
    public static ModelReply namespacedFunctionCall(String namespace, String name, String argumentsJson) {
        Json.parse(Objects.requireNonNull(argumentsJson, "argumentsJson"), "function call arguments");
        return of(new FunctionCall(Objects.requireNonNull(name, "name"), nextCallId(), argumentsJson,
                Objects.requireNonNull(namespace, "namespace")));
    }

    /**
     * An {@code apply_patch} custom tool call (a freeform tool: the input is the patch text).
     *
     * <pre>{@code
     * ModelReply.applyPatch("*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n")
     * }</pre>
     *
     * @return the reply
     */
    public static ModelReply applyPatch(String patch) {
        return customToolCall("apply_patch", patch);
    }

    /** @return a custom (freeform) tool call with the given raw input */
    public static ModelReply customToolCall(String name, String input) {
        return of(new CustomToolCall(Objects.requireNonNull(name, "name"), nextCallId(),
                Objects.requireNonNull(input, "input")));
    }

    /**
     * A plain HTTP error instead of an event stream. With the offline config (no retries) a 500
     * fails the turn.
     *
     * @param status an HTTP status from 400 to 599
     * @return the reply
     */
    public static ModelReply httpError(int status) {
        return httpError(status, Json.write(Json.object().set("error", Json.object()
                .put("message", "mock model HTTP " + status).put("type", "server_error"))));
    }

    /** @return an HTTP error with the given JSON body */
    public static ModelReply httpError(int status, String jsonBody) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("HTTP error status must be 400..599, was " + status);
        }
        return new ModelReply(List.of(), status, Objects.requireNonNull(jsonBody, "jsonBody"), null,
                Duration.ZERO, DEFAULT_USAGE, false, -1);
    }

    /**
     * A stream that ends in {@code response.failed} instead of {@code response.completed}.
     *
     * @param code the error code, for example {@code server_error} or {@code rate_limit_exceeded}
     * @param message the error message
     * @return the reply
     */
    public static ModelReply failed(String code, String message) {
        return empty().thenFail(code, message);
    }

    /**
     * A stream that sends {@code response.created} and then nothing until the client goes away or
     * the server closes: a turn that keeps running until it is interrupted.
     *
     * @return the reply
     */
    public static ModelReply stall() {
        return empty().stallBeforeCompletion();
    }

    // ---- appending -------------------------------------------------------------------------

    /** @return this reply followed by the outputs of {@code next} (its stream settings are ignored) */
    public ModelReply then(ModelReply next) {
        List<Output> all = new ArrayList<>(outputs);
        all.addAll(next.outputs);
        return with(all);
    }

    /** @return this reply followed by a {@code final_answer} message */
    public ModelReply thenMessage(String text) {
        return then(message(text));
    }

    /** @return this reply followed by a {@code commentary} message */
    public ModelReply thenCommentary(String text) {
        return then(commentary(text));
    }

    /** @return this reply followed by a reasoning summary */
    public ModelReply thenReasoning(String summary) {
        return then(reasoning(summary));
    }

    /** @return this reply followed by an {@code exec_command} call */
    public ModelReply thenExecCommand(String cmd) {
        return then(execCommand(cmd));
    }

    // ---- modifiers -------------------------------------------------------------------------

    /**
     * @param phase the phase, or {@code null} for none
     * @return a copy whose last item, which must be a message, has this phase
     */
    public ModelReply phase(@Nullable Phase phase) {
        if (!(last() instanceof Message m)) {
            throw new IllegalStateException("phase(...) applies to a message, but the last output is " + last());
        }
        return replaceLast(new Message(m.text(), phase, m.deltas()));
    }

    /**
     * @param count how many text deltas the last message or reasoning summary is split into
     *     (0: one per word)
     * @return the copy
     */
    public ModelReply deltas(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("delta count must be >= 0, was " + count);
        }
        Output l = last();
        if (l instanceof Message m) {
            return replaceLast(new Message(m.text(), m.phase(), count));
        }
        if (l instanceof Reasoning r) {
            return replaceLast(new Reasoning(r.summary(), count));
        }
        throw new IllegalStateException("deltas(...) applies to a message or reasoning, but the last output is " + l);
    }

    /** @return a copy whose last item, which must be a tool call, has this call id */
    public ModelReply callId(String callId) {
        Objects.requireNonNull(callId, "callId");
        Output l = last();
        if (l instanceof FunctionCall f) {
            return replaceLast(new FunctionCall(f.name(), callId, f.arguments(), f.namespace()));
        }
        if (l instanceof CustomToolCall c) {
            return replaceLast(new CustomToolCall(c.name(), callId, c.input()));
        }
        throw new IllegalStateException("callId(...) applies to a tool call, but the last output is " + l);
    }

    /** @return a copy that waits this long before each SSE event (a slow model) */
    public ModelReply eventDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("event delay must not be negative: " + delay);
        }
        return new ModelReply(outputs, status, errorBody, failure, delay, usage, stall, disconnectAfter);
    }

    /** @return a copy reporting these token counts in {@code response.completed} */
    public ModelReply usage(Usage newUsage) {
        return new ModelReply(outputs, status, errorBody, failure, eventDelay,
                Objects.requireNonNull(newUsage, "usage"), stall, disconnectAfter);
    }

    /** @return a copy that ends in {@code response.failed} with this error after its outputs */
    public ModelReply thenFail(String code, String message) {
        return new ModelReply(outputs, status, errorBody, new Failure(Objects.requireNonNull(code, "code"),
                Objects.requireNonNull(message, "message")), eventDelay, usage, stall, disconnectAfter);
    }

    /**
     * @return a copy that streams its outputs but never sends {@code response.completed}: it waits
     *     until the client disconnects or the server closes
     */
    public ModelReply stallBeforeCompletion() {
        return new ModelReply(outputs, status, errorBody, failure, eventDelay, usage, true, disconnectAfter);
    }

    /** @return a copy that drops the connection after sending this many SSE events (a broken stream) */
    public ModelReply disconnectAfter(int events) {
        if (events < 0) {
            throw new IllegalArgumentException("events must be >= 0, was " + events);
        }
        return new ModelReply(outputs, status, errorBody, failure, eventDelay, usage, stall, events);
    }

    // ---- accessors for the server ----------------------------------------------------------

    /** @return the HTTP status: 200 for a stream, else the scripted error */
    public int status() {
        return status;
    }

    /** @return the number of output items */
    public int outputCount() {
        return outputs.size();
    }

    String errorBody() {
        return errorBody == null ? "" : errorBody;
    }

    Duration delay() {
        return eventDelay;
    }

    boolean stalls() {
        return stall;
    }

    int disconnectAfterEvents() {
        return disconnectAfter;
    }

    List<Output> outputs() {
        return outputs;
    }

    @Override
    public String toString() {
        return status != 200 ? "ModelReply[HTTP " + status + "]"
                : "ModelReply" + outputs + (failure != null ? " failed " + failure : "") + (stall ? " stalls" : "");
    }

    private Output last() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("this reply has no output item to modify");
        }
        return outputs.get(outputs.size() - 1);
    }

    private ModelReply replaceLast(Output o) {
        List<Output> copy = new ArrayList<>(outputs);
        copy.set(copy.size() - 1, o);
        return with(copy);
    }

    private static String nextCallId() {
        return "call_mock_" + CALL_IDS.incrementAndGet();
    }

    /** Renders the SSE events of this reply; ids come from the given counter. */
    List<Event> render(AtomicLong ids) {
        List<Event> events = new ArrayList<>();
        String responseId = "resp_mock_" + ids.incrementAndGet();
        events.add(event("response.created", Json.object().set("response",
                Json.object().put("id", responseId).put("status", "in_progress"))));
        for (int index = 0; index < outputs.size(); index++) {
            renderOutput(outputs.get(index), index, ids, events);
        }
        if (stall) {
            return events;
        }
        if (failure != null) {
            ObjectNode response = Json.object().put("id", responseId).put("status", "failed");
            response.set("error", Json.object().put("code", failure.code()).put("message", failure.message()));
            events.add(event("response.failed", Json.object().set("response", response)));
            return events;
        }
        ObjectNode u = Json.object().put("input_tokens", usage.inputTokens());
        u.set("input_tokens_details", Json.object().put("cached_tokens", usage.cachedInputTokens()));
        u.put("output_tokens", usage.outputTokens());
        u.set("output_tokens_details", Json.object().put("reasoning_tokens", usage.reasoningOutputTokens()));
        u.put("total_tokens", usage.totalTokens());
        ObjectNode response = Json.object().put("id", responseId).put("status", "completed");
        response.set("usage", u);
        events.add(event("response.completed", Json.object().set("response", response)));
        return events;
    }

    private static void renderOutput(Output output, int index, AtomicLong ids, List<Event> events) {
        switch (output) {
            case Message m -> {
                String id = "msg_mock_" + ids.incrementAndGet();
                ObjectNode item = Json.object().put("type", "message").put("role", "assistant").put("id", id);
                if (m.phase() != null) {
                    item.put("phase", m.phase().value());
                }
                ObjectNode started = item.deepCopy();
                started.putArray("content");
                events.add(event("response.output_item.added", added(started, index)));
                for (String d : split(m.text(), m.deltas())) {
                    events.add(event("response.output_text.delta", Json.object().put("item_id", id)
                            .put("output_index", index).put("content_index", 0).put("delta", d)));
                }
                ArrayNode content = item.putArray("content");
                content.addObject().put("type", "output_text").put("text", m.text()).putArray("annotations");
                events.add(event("response.output_item.done", added(item, index)));
            }
            case Reasoning r -> {
                String id = "rs_mock_" + ids.incrementAndGet();
                ObjectNode started = Json.object().put("type", "reasoning").put("id", id);
                started.putArray("summary");
                events.add(event("response.output_item.added", added(started, index)));
                ObjectNode part = Json.object().put("type", "summary_text").put("text", "");
                ObjectNode partAdded = Json.object().put("item_id", id).put("output_index", index).put("summary_index", 0);
                partAdded.set("part", part);
                events.add(event("response.reasoning_summary_part.added", partAdded));
                for (String d : split(r.summary(), r.deltas())) {
                    events.add(event("response.reasoning_summary_text.delta", Json.object().put("item_id", id)
                            .put("output_index", index).put("summary_index", 0).put("delta", d)));
                }
                ObjectNode done = Json.object().put("type", "reasoning").put("id", id);
                done.putArray("summary").addObject().put("type", "summary_text").put("text", r.summary());
                events.add(event("response.output_item.done", added(done, index)));
            }
            case FunctionCall f -> {
                ObjectNode item = Json.object().put("type", "function_call").put("id", "fc_mock_" + ids.incrementAndGet())
                        .put("call_id", f.callId()).put("name", f.name()).put("arguments", f.arguments());
                if (f.namespace() != null) {
                    item.put("namespace", f.namespace());
                }
                events.add(event("response.output_item.added", added(item, index)));
                events.add(event("response.output_item.done", added(item.deepCopy(), index)));
            }
            case CustomToolCall c -> {
                ObjectNode item = Json.object().put("type", "custom_tool_call").put("id", "ctc_mock_" + ids.incrementAndGet())
                        .put("call_id", c.callId()).put("name", c.name()).put("input", c.input());
                events.add(event("response.output_item.added", added(item, index)));
                events.add(event("response.output_item.done", added(item.deepCopy(), index)));
            }
        }
    }

    private static ObjectNode added(ObjectNode item, int index) {
        ObjectNode data = Json.object().put("output_index", index);
        data.set("item", item);
        return data;
    }

    private static Event event(String type, ObjectNode data) {
        ObjectNode withType = Json.object().put("type", type);
        withType.setAll(data);
        return new Event(type, withType);
    }

    /** Splits text into word-sized deltas (count 0) or into exactly {@code count} pieces. */
    static List<String> split(String text, int count) {
        List<String> parts = new ArrayList<>();
        if (text.isEmpty()) {
            return parts;
        }
        if (count == 0) {
            int start = 0;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == ' ' || i == text.length() - 1) {
                    parts.add(text.substring(start, i + 1));
                    start = i + 1;
                }
            }
            return parts;
        }
        int n = Math.min(count, text.length());
        int base = text.length() / n;
        int extra = text.length() % n;
        int pos = 0;
        // Word-aligned split when the text has exactly count words (longMessage), else even chunks.
        String[] words = text.split(" ", -1);
        if (words.length == count) {
            for (int i = 0; i < words.length; i++) {
                parts.add(i == words.length - 1 ? words[i] : words[i] + " ");
            }
            return parts;
        }
        for (int i = 0; i < n; i++) {
            int len = base + (i < extra ? 1 : 0);
            parts.add(text.substring(pos, pos + len));
            pos += len;
        }
        return parts;
    }
}
