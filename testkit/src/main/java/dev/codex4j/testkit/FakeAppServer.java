package dev.codex4j.testkit;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scripted Codex app-server speaking the protocol (JSON lines) to a client under test, either
 * in-process over a pair of streams ({@link #inProcess}) or as a child process that a real stdio
 * transport starts ({@link #childProcess}). Everything the client sends is recorded.
 *
 * <p>Without rules it behaves like a quiet real server: {@code initialize} is answered like
 * 0.169.0 (then {@code remoteControl/status/changed}), requests before it get -32600 "Not
 * initialized", {@code thread/start} returns a thread (then {@code thread/started}),
 * {@code turn/start} returns the turn and then streams a complete simple turn answering
 * {@link Script#defaultAnswer(String)}, unknown methods get -32600. Closing the client's output
 * ends the fake with exit code 0. Rules replace these defaults per method.
 *
 * <pre>{@code
 * import static dev.codex4j.testkit.ScriptStep.*;
 *
 * FakeAppServer.Script script = FakeAppServer.script()
 *     .onRequest("turn/start",                     // turn/completed before the turn/start response
 *         simpleTurn("done"),
 *         respond(AppServerMessages.turnStartResult("${turnId}")));
 * try (FakeAppServer fake = FakeAppServer.inProcess(script)) {
 *     MyTransport t = new MyTransport(fake.clientInput(), fake.clientOutput());
 *     ...
 *     assertEquals(1, fake.requests("turn/start").size());
 * }
 * }</pre>
 */
public final class FakeAppServer implements AutoCloseable {

    /** A request (or notification, with a null id) the client sent, as a handler sees it. */
    public record Request(@Nullable JsonNode id, String method, JsonNode params) {}

    /** Lets a {@link Handler} answer and write, bound to the triggering message. */
    public interface Responder {
        /** Answers the request with a result. */
        void respond(JsonNode result);

        /** Answers the request with a JSON-RPC error. */
        void error(int code, String message);

        /** Writes a whole message (placeholders replaced, {@code emittedAtMs} added to notifications). */
        void send(JsonNode message);

        /** Runs script steps in the context of this message. */
        void run(ScriptStep... steps);

        /**
         * Sends a server request and waits for the client's reply.
         *
         * @return the whole reply message ({@code result} or {@code error}), or null on timeout
         */
        @Nullable JsonNode serverRequest(String method, JsonNode params, Duration timeout);

        /** @return the value of a placeholder, for example {@code var("threadId")} */
        String var(String name);
    }

    /** Code that handles one message; in-process only (a lambda cannot cross into a child process). */
    @FunctionalInterface
    public interface Handler {
        /** Handles the message; runs on the fake's handler thread. */
        void handle(Request request, Responder out);
    }

    record Rule(boolean request, String method, long times, List<ScriptStep> steps, @Nullable Handler handler) {}

    /**
     * What the fake does: rules by method, steps at start and after {@code initialize}. Build it,
     * then hand it to {@link #inProcess} or {@link #childProcess}; later changes do not affect a
     * running fake.
     */
    public static final class Script {
        private final List<Rule> rules = new ArrayList<>();
        private List<ScriptStep> onStart = List.of();
        private List<ScriptStep> afterInitialize = List.of(ScriptStep.send(AppServerMessages.remoteControlStatusChanged()));
        private boolean requireInitialize = true;
        private boolean concurrentHandlers;
        private String defaultAnswer = "ok";

        Script() {}

        /**
         * Every request with this method (or {@code "*"} for any) runs these steps. Rules are tried
         * in the order added.
         *
         * @return this script
         */
        public Script onRequest(String method, ScriptStep... steps) {
            return add(true, method, -1, steps);
        }

        /**
         * The next {@code times} requests with this method run these steps; later ones fall through
         * to later rules or the default (for example: two overload errors, then success).
         *
         * @return this script
         */
        public Script onRequest(String method, int times, ScriptStep... steps) {
            if (times < 1) {
                throw new IllegalArgumentException("times must be >= 1, was " + times);
            }
            return add(true, method, times, steps);
        }

        /** Every request with this method is handled by code (in-process only). @return this script */
        public Script onRequest(String method, Handler handler) {
            rules.add(new Rule(true, Objects.requireNonNull(method, "method"), -1, List.of(),
                    Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /** A request that is recorded and never answered. @return this script */
        public Script neverAnswer(String method) {
            return add(true, method, -1, new ScriptStep[0]);
        }

        /** Every client notification with this method (e.g. {@code initialized}) runs these steps. @return this script */
        public Script onNotification(String method, ScriptStep... steps) {
            return add(false, method, -1, steps);
        }

        /** Steps run as soon as the fake starts, before reading anything. @return this script */
        public Script onStart(ScriptStep... steps) {
            this.onStart = List.of(steps);
            return this;
        }

        /**
         * Steps run after the default {@code initialize} response (default: one
         * {@code remoteControl/status/changed}; pass none for silence).
         *
         * @return this script
         */
        public Script afterInitialize(ScriptStep... steps) {
            this.afterInitialize = List.of(steps);
            return this;
        }

        /** @return this script; false lets requests through before {@code initialize} */
        public Script requireInitialize(boolean require) {
            this.requireInitialize = require;
            return this;
        }

        /**
         * Handles each request on its own virtual thread, so turns on several threads interleave and
         * a delayed answer does not hold up others. Default: one at a time, in arrival order.
         *
         * @return this script
         */
        public Script concurrentHandlers() {
            this.concurrentHandlers = true;
            return this;
        }

        /** @return this script; the text of the default turn's agent message (default {@code "ok"}) */
        public Script defaultAnswer(String answer) {
            this.defaultAnswer = Objects.requireNonNull(answer, "answer");
            return this;
        }

        private Script add(boolean request, String method, long times, ScriptStep[] steps) {
            Objects.requireNonNull(method, "method");
            List<ScriptStep> list = List.of(steps);
            rules.add(new Rule(request, method, times, list, null));
            return this;
        }

        List<Rule> rules() {
            return rules;
        }

        List<ScriptStep> startSteps() {
            return onStart;
        }

        List<ScriptStep> initSteps() {
            return afterInitialize;
        }

        boolean requireInitialize() {
            return requireInitialize;
        }

        boolean isConcurrent() {
            return concurrentHandlers;
        }

        String defaultAnswer() {
            return defaultAnswer;
        }

        Script frozen() {
            Script s = new Script();
            s.rules.addAll(rules);
            s.onStart = onStart;
            s.afterInitialize = afterInitialize;
            s.requireInitialize = requireInitialize;
            s.concurrentHandlers = concurrentHandlers;
            s.defaultAnswer = defaultAnswer;
            return s;
        }

        /** @throws IllegalStateException when a rule is a {@link Handler} lambda */
        ObjectNode toJson() {
            ObjectNode n = Json.object().put("requireInitialize", requireInitialize)
                    .put("concurrentHandlers", concurrentHandlers).put("defaultAnswer", defaultAnswer);
            n.set("onStart", steps(onStart));
            n.set("afterInitialize", steps(afterInitialize));
            ArrayNode rs = n.putArray("rules");
            for (Rule r : rules) {
                if (r.handler() != null) {
                    throw new IllegalStateException("the rule for '" + r.method() + "' is a Handler lambda, which cannot"
                            + " run in a child process; script it with ScriptStep values instead");
                }
                ObjectNode rn = rs.addObject().put("request", r.request()).put("method", r.method())
                        .put("times", r.times());
                rn.set("steps", steps(r.steps()));
            }
            return n;
        }

        static Script fromJson(JsonNode n) {
            Script s = new Script();
            s.requireInitialize = n.path("requireInitialize").asBoolean(true);
            s.concurrentHandlers = n.path("concurrentHandlers").asBoolean(false);
            s.defaultAnswer = n.path("defaultAnswer").asString("ok");
            s.onStart = readSteps(n.path("onStart"));
            s.afterInitialize = readSteps(n.path("afterInitialize"));
            for (JsonNode r : n.path("rules")) {
                s.rules.add(new Rule(r.path("request").asBoolean(), r.path("method").asString(),
                        r.path("times").asLong(-1), readSteps(r.path("steps")), null));
            }
            return s;
        }

        private static ArrayNode steps(List<ScriptStep> steps) {
            ArrayNode a = Json.array();
            steps.forEach(s -> a.add(ScriptStep.toJson(s)));
            return a;
        }

        private static List<ScriptStep> readSteps(JsonNode a) {
            List<ScriptStep> list = new ArrayList<>();
            a.forEach(s -> list.add(ScriptStep.fromJson(s)));
            return List.copyOf(list);
        }
    }

    /** @return an empty script: the fake behaves like a quiet real server */
    public static Script script() {
        return new Script();
    }

    /**
     * Starts the fake in this JVM.
     *
     * @return the running fake; the client reads {@link #clientInput()} and writes {@link #clientOutput()}
     */
    public static FakeAppServer inProcess(Script script) {
        FakeAppServer fake = new FakeAppServer();
        fake.engine = new FakeEngine(script.frozen(), fake.toServer.source, fake.toClient.sink, fake.stderr.sink,
                fake::record, fake::exited);
        fake.engine.start();
        return fake;
    }

    /**
     * Prepares the fake as a child process: the script is written to a temporary file, and the
     * returned handle gives the command line and an {@code AppServerLaunch} for the client to start.
     *
     * @return the handle (close it to delete its files and end leftover fakes)
     * @throws IllegalStateException when the script has {@link Handler} rules
     */
    public static FakeAppServerProcess childProcess(Script script) {
        return FakeAppServerProcess.create(script.frozen());
    }

    private final BytePipe toServer = new BytePipe(1 << 16);
    private final BytePipe toClient = new BytePipe(1 << 16);
    private final BytePipe stderr = new BytePipe(1 << 16);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private final List<@Nullable JsonNode> parsed = new ArrayList<>();
    private final CountDownLatch exit = new CountDownLatch(1);
    private volatile int exitCode = -1;
    private FakeEngine engine;

    private FakeAppServer() {}

    /** @return what the client reads: the fake's stdout */
    public InputStream clientInput() {
        return toClient.source;
    }

    /** @return what the client writes: the fake's stdin (close it to make the fake exit 0) */
    public OutputStream clientOutput() {
        return toServer.sink;
    }

    /** @return the fake's stderr (parse complaints and {@link ScriptStep#stderr} lines) */
    public InputStream clientErrors() {
        return stderr.source;
    }

    /** @return every line the client sent, in order */
    public List<String> receivedLines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** @return every JSON message the client sent, in order (lines that were not JSON are left out) */
    public List<JsonNode> received() {
        lock.lock();
        try {
            return parsed.stream().filter(Objects::nonNull).map(n -> (JsonNode) n).toList();
        } finally {
            lock.unlock();
        }
    }

    /** @return the requests (or notifications) the client sent with this method */
    public List<JsonNode> requests(String method) {
        return received().stream().filter(m -> method.equals(m.path("method").asString(""))).toList();
    }

    /** @return the client's reply to the server request with this id, if it came */
    public Optional<JsonNode> replyTo(long serverRequestId) {
        return received().stream().filter(m -> !m.has("method") && m.path("id").isNumber()
                && m.path("id").asLong() == serverRequestId).findFirst();
    }

    /**
     * Waits until the client has sent a message matching the predicate.
     *
     * @return the first such message
     * @throws IllegalStateException when none arrives in time
     */
    public JsonNode awaitReceived(Predicate<JsonNode> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (JsonNode n : parsed) {
                    if (n != null && predicate.test(n)) {
                        return n;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the client sent no matching message within " + timeout
                            + " (" + lines.size() + " lines received)");
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a client message", e);
        } finally {
            lock.unlock();
        }
    }

    /** @return the exit code, once the fake has ended (client EOF: 0; {@link ScriptStep#exit}: its code) */
    public OptionalInt exitCode() {
        return exit.getCount() > 0 ? OptionalInt.empty() : OptionalInt.of(exitCode);
    }

    /**
     * Waits for the fake to end.
     *
     * @return the exit code
     * @throws IllegalStateException when it does not end in time
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!exit.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("the fake app-server did not end within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return exitCode;
    }

    /** Ends the fake (as if killed) and closes its streams. */
    @Override
    public void close() {
        engine.stop();
        toServer.closeRead();
        toClient.closeWrite();
        stderr.closeWrite();
        try {
            engine.awaitReader(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(String line, @Nullable JsonNode msg) {
        lock.lock();
        try {
            lines.add(line);
            parsed.add(msg);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void exited(int code) {
        exitCode = code;
        // A dead process reads nothing: the client's writes now fail like a broken pipe.
        toServer.closeRead();
        stderr.closeWrite();
        exit.countDown();
    }
}
