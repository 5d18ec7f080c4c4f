package dev.codex4j.testkit;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/** Runs a {@link FakeAppServer.Script} over a pair of streams; shared by the in-process and child modes. */
final class FakeEngine {
    private static final System.Logger LOG = System.getLogger(FakeEngine.class.getName());

    /** Receives every line the client sent, with its parsed form (null when it was not JSON). */
    interface Recorder {
        void record(String line, @Nullable JsonNode parsed);
    }

    private final FakeAppServer.Script script;
    private final InputStream in;
    private final OutputStream rawOut;
    private final BufferedOutputStream out;
    private final OutputStream err;
    private final Recorder recorder;
    private final IntConsumer onExit;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock errLock = new ReentrantLock();
    private final ExecutorService workers;
    private final Map<FakeAppServer.Rule, AtomicLong> remaining = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<JsonNode>> pendingServerRequests = new ConcurrentHashMap<>();
    private final AtomicLong serverRequestIds = new AtomicLong();
    private final AtomicBoolean initialized = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean outputClosed;
    private volatile String clientName = "client";
    private volatile @Nullable JsonNode lastServerRequestId;
    private @Nullable Thread reader;

    FakeEngine(FakeAppServer.Script script, InputStream in, OutputStream out, OutputStream err, Recorder recorder,
            IntConsumer onExit) {
        this.script = script;
        this.in = in;
        this.rawOut = out;
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.err = err;
        this.recorder = recorder;
        this.onExit = onExit;
        this.workers = script.isConcurrent()
                ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-app-server-", 0).factory())
                : Executors.newSingleThreadExecutor(Thread.ofVirtual().name("fake-app-server").factory());
        for (FakeAppServer.Rule r : script.rules()) {
            remaining.put(r, new AtomicLong(r.times()));
        }
    }

    void start() {
        if (!script.startSteps().isEmpty()) {
            workers.execute(() -> runSteps(script.startSteps(), new Ctx(null, "", Json.object())));
        }
        reader = Thread.ofVirtual().name("fake-app-server-reader").start(this::readLoop);
    }

    /** Stops without an exit step: as if the process were killed. */
    void stop() {
        finish(143);
    }

    boolean awaitReader(Duration timeout) throws InterruptedException {
        Thread r = reader;
        return r == null || r.join(timeout);
    }

    private void readLoop() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while (!finished.get() && (line = r.readLine()) != null) {
                JsonNode msg = null;
                try {
                    msg = Json.MAPPER.readTree(line);
                } catch (RuntimeException e) {
                    // Like the real server: no reply, one stderr line, keep going.
                }
                recorder.record(line, msg);
                if (msg == null || !msg.isObject() || msg.isEmpty()) {
                    writeErr("failed to parse client message: " + abbreviate(line));
                    continue;
                }
                dispatch(msg);
            }
        } catch (IOException e) {
            if (!finished.get()) {
                LOG.log(Level.DEBUG, "fake app-server input ended: {0}", e.toString());
            }
        }
        // Closing stdin makes the real server exit 0.
        if (!finished.get()) {
            workers.shutdown();
            try {
                workers.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finish(0);
        }
    }

    private void dispatch(JsonNode msg) {
        boolean hasMethod = msg.hasNonNull("method");
        boolean hasId = msg.has("id") && !msg.get("id").isNull();
        if (!hasMethod && hasId) {
            CompletableFuture<JsonNode> f = pendingServerRequests.remove(idKey(msg.get("id")));
            if (f != null) {
                f.complete(msg);
            }
            return;
        }
        if (!hasMethod) {
            writeErr("message without method: " + abbreviate(msg.toString()));
            return;
        }
        String method = msg.get("method").asString("");
        JsonNode params = msg.path("params");
        if (!hasId) {
            FakeAppServer.Rule rule = match(method, false);
            if (rule != null) {
                submit(() -> runRule(rule, new Ctx(null, method, params)));
            }
            return;
        }
        JsonNode id = msg.get("id");
        Ctx ctx = new Ctx(id, method, params);
        if (method.equals("initialize")) {
            clientName = params.path("clientInfo").path("name").asString("client");
            ctx.vars.put("clientName", clientName);
            if (!initialized.compareAndSet(false, true)) {
                submit(() -> respondError(ctx, -32600, "Already initialized"));
                return;
            }
        } else if (script.requireInitialize() && !initialized.get()) {
            submit(() -> respondError(ctx, -32600, "Not initialized"));
            return;
        }
        FakeAppServer.Rule rule = match(method, true);
        if (rule != null) {
            submit(() -> runRule(rule, ctx));
        } else {
            submit(() -> runDefault(ctx));
        }
    }

    private void submit(Runnable task) {
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "fake app-server step failed", e);
                    writeErr("fake app-server step failed: " + e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Finished: the process is gone.
        }
    }

    private FakeAppServer.@Nullable Rule match(String method, boolean request) {
        for (FakeAppServer.Rule r : script.rules()) {
            if (r.request() == request && (r.method().equals(method) || r.method().equals("*"))) {
                AtomicLong left = remaining.get(r);
                if (left.get() < 0) {
                    return r;
                }
                if (left.getAndUpdate(v -> v > 0 ? v - 1 : v) > 0) {
                    return r;
                }
            }
        }
        return null;
    }

    private void runRule(FakeAppServer.Rule rule, Ctx ctx) {
        if (rule.handler() != null) {
            rule.handler().handle(new FakeAppServer.Request(ctx.id, ctx.method, ctx.params), new Out(ctx));
            flush();
        } else {
            runSteps(rule.steps(), ctx);
        }
    }

    private void runDefault(Ctx ctx) {
        switch (ctx.method) {
            case "initialize" -> {
                respond(ctx, AppServerMessages.initializeResult(clientName));
                runSteps(script.initSteps(), ctx);
            }
            case "thread/start", "thread/resume", "thread/fork" -> {
                respond(ctx, AppServerMessages.threadStartResult(ctx.var("threadId"), cwd(ctx)));
                send(ctx, AppServerMessages.threadStarted(ctx.var("threadId"), cwd(ctx)));
            }
            case "turn/start" -> {
                respond(ctx, AppServerMessages.turnStartResult(ctx.var("turnId")));
                runSteps(List.of(ScriptStep.simpleTurn(script.defaultAnswer())), ctx);
            }
            case "turn/interrupt" -> {
                respond(ctx, Json.object());
                send(ctx, AppServerMessages.turnCompleted(ctx.var("threadId"), ctx.var("turnId"), "interrupted"));
            }
            case "turn/steer" -> respond(ctx, Json.object().put("turnId", ctx.var("turnId")));
            default -> respondError(ctx, -32600, "Invalid request: unknown variant `" + ctx.method + "`");
        }
        flush();
    }

    private static String cwd(Ctx ctx) {
        return ctx.params.path("cwd").asString("/fake/work");
    }

    void runSteps(List<ScriptStep> steps, Ctx ctx) {
        for (ScriptStep step : steps) {
            if (finished.get()) {
                return;
            }
            runStep(step, ctx);
        }
        flush();
    }

    private void runStep(ScriptStep step, Ctx ctx) {
        switch (step) {
            case ScriptStep.Respond r -> respond(ctx, r.result());
            case ScriptStep.RespondError e -> respondError(ctx, e.code(), e.message(), e.data());
            case ScriptStep.Send s -> send(ctx, s.message());
            case ScriptStep.Raw r -> writeRaw(r.newline() ? r.text() + "\n" : r.text());
            case ScriptStep.LargeLine l -> send(ctx, largeLine(ctx, l.bytes()));
            case ScriptStep.Delay d -> {
                flush();
                sleep(d.millis());
            }
            case ScriptStep.ServerRequest s -> serverRequest(ctx, s.method(), s.params(), s.awaitReply(),
                    Duration.ofMillis(s.timeoutMillis()));
            case ScriptStep.SimpleTurn t -> {
                for (ObjectNode m : AppServerMessages.simpleTurn(ctx.var("threadId"), ctx.var("turnId"),
                        ctx.var("text"), t.answer())) {
                    send(ctx, m);
                }
            }
            case ScriptStep.Stderr s -> writeErr(s.line());
            case ScriptStep.Eof e -> closeOutput();
            case ScriptStep.Exit e -> finish(e.code());
            case ScriptStep.Burst b -> burst(ctx, b);
            case ScriptStep.PacedTurn t -> pacedTurn(ctx, t);
        }
    }

    private JsonNode largeLine(Ctx ctx, int bytes) {
        ObjectNode m = AppServerMessages.agentMessageCompleted(ctx.var("threadId"), ctx.var("turnId"),
                "msg_large_" + UUID.randomUUID(), "", "final_answer");
        int overhead = Json.write(m).length() + 40;
        ((ObjectNode) m.get("params").get("item")).put("text", "x".repeat(Math.max(0, bytes - overhead)));
        return m;
    }

    // ---- writing ---------------------------------------------------------------------------

    void respond(Ctx ctx, JsonNode result) {
        ObjectNode m = Json.object();
        m.set("id", ctx.id);
        m.set("result", ctx.apply(result));
        writeLine(Json.write(m));
    }

    void respondError(Ctx ctx, int code, String message) {
        respondError(ctx, code, message, Json.MAPPER.nullNode());
        flush();
    }

    private void respondError(Ctx ctx, int code, String message, JsonNode data) {
        ObjectNode error = Json.object().put("code", code).put("message", (String) ctx.applyText(message));
        if (data != null && !data.isNull() && !data.isMissingNode()) {
            error.set("data", ctx.apply(data));
        }
        ObjectNode m = Json.object();
        m.set("error", error);
        m.set("id", ctx.id);
        writeLine(Json.write(m));
    }

    void send(Ctx ctx, JsonNode message) {
        JsonNode m = ctx.apply(message);
        if (m instanceof ObjectNode o && o.has("method") && !o.has("id") && !o.has("emittedAtMs")) {
            o.put("emittedAtMs", System.currentTimeMillis());
        }
        writeLine(Json.write(m));
    }

    @Nullable JsonNode serverRequest(Ctx ctx, String method, JsonNode params, boolean await, Duration timeout) {
        long n = serverRequestIds.getAndIncrement();
        JsonNode id = Json.MAPPER.getNodeFactory().numberNode(n);
        lastServerRequestId = id;
        ctx.vars.put("serverRequestId", Long.toString(n));
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        if (await) {
            pendingServerRequests.put(idKey(id), reply);
        }
        ObjectNode m = Json.object().put("method", method);
        m.set("id", id);
        m.set("params", ctx.apply(params));
        writeLine(Json.write(m));
        flush();
        if (!await) {
            return null;
        }
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pendingServerRequests.remove(idKey(id));
            writeErr("no reply to server request " + n + " (" + method + ") within " + timeout);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    private void burst(Ctx ctx, ScriptStep.Burst b) {
        boolean single = b.threads() == 1 && b.turnsPerThread() == 1;
        String filler = "lorem ipsum ".repeat(Math.max(1, b.completedBytes() / 12 + 1)).substring(0,
                Math.max(0, b.completedBytes()));
        String[] words = {"The ", "quick ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "};
        for (int k = 0; k < b.turnsPerThread(); k++) {
            String[] threadIds = new String[b.threads()];
            String[] turnIds = new String[b.threads()];
            String[] prefixes = new String[b.threads()];
            int[] itemNo = new int[b.threads()];
            for (int t = 0; t < b.threads(); t++) {
                threadIds[t] = single ? ctx.var("threadId") : "burst-thread-" + t;
                turnIds[t] = single ? ctx.var("turnId") : "burst-turn-" + t + "-" + k;
                writeLine(Json.write(stamp(AppServerMessages.turnStarted(threadIds[t], turnIds[t]))));
            }
            for (int d = 0; d < b.deltasPerTurn(); d++) {
                for (int t = 0; t < b.threads(); t++) {
                    if (prefixes[t] == null) {
                        prefixes[t] = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":"
                                + quote(threadIds[t]) + ",\"turnId\":" + quote(turnIds[t]) + ",\"itemId\":"
                                + quote("msg-" + turnIds[t] + "-" + itemNo[t]) + ",\"delta\":\"";
                    }
                    writeLine(prefixes[t] + words[d % words.length] + "\"},\"emittedAtMs\":"
                            + System.currentTimeMillis() + "}");
                }
                if ((d + 1) % b.completedEvery() == 0) {
                    for (int t = 0; t < b.threads(); t++) {
                        writeLine(Json.write(stamp(AppServerMessages.agentMessageCompleted(threadIds[t], turnIds[t],
                                "msg-" + turnIds[t] + "-" + itemNo[t], filler, "final_answer"))));
                        itemNo[t]++;
                        prefixes[t] = null;
                    }
                }
            }
            for (int t = 0; t < b.threads(); t++) {
                writeLine(Json.write(stamp(AppServerMessages.turnCompleted(threadIds[t], turnIds[t], "completed"))));
            }
        }
        flush();
    }

    private void pacedTurn(Ctx ctx, ScriptStep.PacedTurn t) {
        String threadId = ctx.var("threadId");
        String turnId = ctx.var("turnId");
        String itemId = "msg-" + turnId;
        writeFlushed(Json.write(stamp(AppServerMessages.turnStarted(threadId, turnId))));
        String prefix = "{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":" + quote(threadId)
                + ",\"turnId\":" + quote(turnId) + ",\"itemId\":" + quote(itemId) + ",\"delta\":\"";
        StringBuilder text = new StringBuilder();
        long interval = t.perSecond() == 0 ? 0 : 1_000_000_000L / t.perSecond();
        long next = System.nanoTime();
        for (int i = 0; i < t.deltas() && !finished.get(); i++) {
            if (interval > 0) {
                next += interval;
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            String delta = i + ":" + System.nanoTime() + " ";
            text.append(delta);
            String line = prefix + delta + "\"},\"emittedAtMs\":" + System.currentTimeMillis() + "}";
            if (interval > 0) {
                writeFlushed(line);
            } else {
                writeLine(line);
            }
        }
        writeLine(Json.write(stamp(AppServerMessages.agentMessageCompleted(threadId, turnId, itemId, text.toString(),
                "final_answer"))));
        writeFlushed(Json.write(stamp(AppServerMessages.turnCompleted(threadId, turnId, "completed"))));
    }

    private void writeFlushed(String line) {
        if (outputClosed) {
            return;
        }
        writeLock.lock();
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            outputClosed = true;
        } finally {
            writeLock.unlock();
        }
    }

    private static ObjectNode stamp(ObjectNode m) {
        return m.put("emittedAtMs", System.currentTimeMillis());
    }

    private static String quote(String s) {
        return Json.write(StringNode.valueOf(s));
    }

    private void writeLine(String line) {
        writeRaw(line + "\n");
    }

    private void writeRaw(String text) {
        if (outputClosed) {
            return;
        }
        writeLock.lock();
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            outputClosed = true;
        } finally {
            writeLock.unlock();
        }
    }

    void flush() {
        if (outputClosed) {
            return;
        }
        writeLock.lock();
        try {
            out.flush();
        } catch (IOException e) {
            outputClosed = true;
        } finally {
            writeLock.unlock();
        }
    }

    private void writeErr(String line) {
        try {
            errLock.lock();
            try {
                err.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
            } finally {
                errLock.unlock();
            }
        } catch (IOException e) {
            // Nobody reads stderr: fine.
        }
    }

    private void closeOutput() {
        writeLock.lock();
        try {
            if (!outputClosed) {
                out.flush();
            }
        } catch (IOException e) {
            // closing anyway
        } finally {
            outputClosed = true;
            try {
                rawOut.close();
            } catch (IOException e) {
                // already closed
            }
            writeLock.unlock();
        }
    }

    private void finish(int code) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        closeOutput();
        pendingServerRequests.values().forEach(f -> f.cancel(false));
        workers.shutdownNow();
        onExit.accept(code);
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String idKey(JsonNode id) {
        return id.isNumber() ? "n:" + id.asLong() : "s:" + id.asString("");
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** What a step needs to know about the message that triggered it, and the placeholder values. */
    final class Ctx {
        final @Nullable JsonNode id;
        final String method;
        final JsonNode params;
        final Map<String, String> vars = new HashMap<>();

        Ctx(@Nullable JsonNode id, String method, JsonNode params) {
            this.id = id;
            this.method = method;
            this.params = params;
            vars.put("method", method);
            vars.put("clientName", clientName);
            vars.put("id", id == null ? "" : (id.isString() ? id.asString() : id.toString()));
            String thread = params.path("threadId").asString(params.path("thread").path("id").asString(""));
            vars.put("threadId", thread.isEmpty() || method.equals("thread/start") || method.equals("thread/fork")
                    ? UUID.randomUUID().toString() : thread);
            String turn = params.path("turnId").asString(params.path("expectedTurnId").asString(""));
            vars.put("turnId", turn.isEmpty() || method.equals("turn/start") ? UUID.randomUUID().toString() : turn);
            vars.put("itemId", "item_" + UUID.randomUUID());
            StringBuilder text = new StringBuilder();
            for (JsonNode i : params.path("input")) {
                text.append(i.path("text").asString(""));
            }
            vars.put("text", text.toString());
            JsonNode last = lastServerRequestId;
            vars.put("serverRequestId", last == null ? "" : last.toString());
        }

        String var(String name) {
            return vars.getOrDefault(name, "");
        }

        /** Replaces placeholders in every string of a copy of the node. */
        JsonNode apply(JsonNode node) {
            if (node == null) {
                return Json.MAPPER.nullNode();
            }
            if (node.isString()) {
                Object v = applyText(node.asString());
                return v instanceof JsonNode j ? j : StringNode.valueOf((String) v);
            }
            if (node instanceof ObjectNode o) {
                ObjectNode copy = Json.object();
                o.properties().forEach(e -> copy.set(e.getKey(), apply(e.getValue())));
                return copy;
            }
            if (node instanceof ArrayNode a) {
                ArrayNode copy = Json.array();
                a.forEach(e -> copy.add(apply(e)));
                return copy;
            }
            return node;
        }

        /** @return a JsonNode for a whole-string id placeholder, else the substituted text */
        Object applyText(String s) {
            if (!s.contains("${")) {
                return s;
            }
            if (s.equals("${id}") && id != null) {
                return id;
            }
            if (s.equals("${serverRequestId}") && lastServerRequestId != null) {
                return lastServerRequestId;
            }
            String result = s;
            for (Map.Entry<String, String> e : vars.entrySet()) {
                result = result.replace("${" + e.getKey() + "}", e.getValue());
            }
            return result;
        }
    }

    /** The handler-facing writer, bound to one triggering message. */
    final class Out implements FakeAppServer.Responder {
        private final Ctx ctx;

        Out(Ctx ctx) {
            this.ctx = ctx;
        }

        @Override
        public void respond(JsonNode result) {
            FakeEngine.this.respond(ctx, result);
            flush();
        }

        @Override
        public void error(int code, String message) {
            FakeEngine.this.respondError(ctx, code, message);
        }

        @Override
        public void send(JsonNode message) {
            FakeEngine.this.send(ctx, message);
            flush();
        }

        @Override
        public void run(ScriptStep... steps) {
            runSteps(List.of(steps), ctx);
        }

        @Override
        public @Nullable JsonNode serverRequest(String method, JsonNode params, Duration timeout) {
            return FakeEngine.this.serverRequest(ctx, method, params, true, timeout);
        }

        @Override
        public String var(String name) {
            return ctx.var(name);
        }
    }
}
