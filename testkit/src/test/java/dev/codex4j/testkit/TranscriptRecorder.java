package dev.codex4j.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Records transcripts of the real Codex CLI (offline, against {@link MockModelServer}) for the
 * protocol tests in {@code core/src/test/resources/transcripts}. Not a test: run it by hand.
 *
 * <pre>
 * java -cp ... dev.codex4j.testkit.TranscriptRecorder OUT_DIR [CODEX_BINARY]
 * </pre>
 *
 * <p>One JSONL file per scenario; each row is {@code {"t":seconds,"dir":"c2s"|"s2c"|"stderr",...}}
 * with {@code "msg"} (the message) and {@code "line"} (the exact text as written on the wire) for
 * messages, {@code "raw"} for stderr. The private directories of the run are rewritten to neutral
 * paths ({@code /home/dev/workspace}, {@code /home/dev/.codex-test-home}) in every row.
 */
public final class TranscriptRecorder {
    private static final Duration TURN = Duration.ofSeconds(60);
    /** A 1x1 PNG. */
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    /** A minimal MCP server over stdio (newline-delimited JSON-RPC) with one tool, {@code echo}. */
    private static final String MCP_SERVER = """
            import json, sys
            for line in sys.stdin:
                line = line.strip()
                if not line:
                    continue
                msg = json.loads(line)
                method, mid = msg.get("method"), msg.get("id")
                if mid is None:
                    continue
                if method == "initialize":
                    result = {"protocolVersion": msg["params"].get("protocolVersion", "2025-06-18"),
                              "capabilities": {"tools": {}}, "serverInfo": {"name": "echo", "version": "1.0.0"}}
                elif method == "tools/list":
                    result = {"tools": [{"name": "echo", "description": "Echoes its text.",
                              "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}},
                                              "required": ["text"]}}]}
                elif method == "tools/call":
                    text = msg["params"].get("arguments", {}).get("text", "")
                    result = {"content": [{"type": "text", "text": "echo: " + text}], "isError": False}
                else:
                    print(json.dumps({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "no " + method}}), flush=True)
                    continue
                print(json.dumps({"jsonrpc": "2.0", "id": mid, "result": result}), flush=True)
            """;

    private TranscriptRecorder() {}

    /**
     * @param args the output directory, and optionally the native Codex binary (default: the pinned one)
     * @throws Exception when a scenario fails
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path codex = args.length > 1 && !args[1].equals("-") ? Path.of(args[1]) : null;
        Files.createDirectories(out);
        Map<String, Scenario> all = new java.util.LinkedHashMap<>();
        all.put("image_input", TranscriptRecorder::imageInput);
        all.put("file_change", TranscriptRecorder::fileChange);
        all.put("command_execution", TranscriptRecorder::commandExecution);
        all.put("mcp_tool_call", TranscriptRecorder::mcpToolCall);
        all.put("command_approval", TranscriptRecorder::commandApproval);
        all.put("permissions_approval", TranscriptRecorder::permissionsApproval);
        // Further arguments name the scenarios to record (default: all).
        List<Scenario> scenarios = args.length > 2
                ? java.util.Arrays.stream(args, 2, args.length).map(all::get).toList()
                : List.copyOf(all.values());
        int failed = 0;
        for (Scenario sc : scenarios) {
            try {
                sc.record(out, codex);
            } catch (RuntimeException | IOException e) {
                // An older or newer CLI may not support a scenario: keep what was recorded, go on.
                failed++;
                System.err.println("scenario failed: " + e);
            }
        }
        System.err.println("recorded " + (scenarios.size() - failed) + " of " + scenarios.size() + " scenarios into " + out);
    }

    /** One recording. */
    interface Scenario {
        void record(Path out, Path codex) throws IOException;
    }

    private static OfflineCodex.Builder offline(Path codex) {
        OfflineCodex.Builder b = OfflineCodex.builder();
        return codex != null ? b.codexPath(codex) : b;
    }

    /** A turn with an image by URL, then one with a local image file. */
    static void imageInput(Path out, Path codex) throws IOException {
        try (OfflineCodex offline = offline(codex).start(); Session s = new Session(offline, out.resolve("image_input.jsonl"))) {
            Path png = offline.workDir().resolve("pixel.png");
            Files.write(png, PNG);
            offline.server().enqueue(ModelReply.message("A cat, by URL."), ModelReply.message("One pixel, from the file."));
            s.initialize();
            String thread = s.startThread();
            // 0.169.0 rejects remote URLs (-32600 "remote image URLs are not supported"): recorded too.
            ArrayNode input = Json.MAPPER.createArrayNode();
            input.addObject().put("type", "text").put("text", "what is in this image?");
            input.addObject().put("type", "image").put("url", "https://example.com/cat.png");
            ObjectNode params = Json.object().put("threadId", thread);
            params.set("input", input);
            s.call("turn/start", params);
            input = Json.MAPPER.createArrayNode();
            input.addObject().put("type", "text").put("text", "what is in this image?");
            input.addObject().put("type", "image").put("url", "data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(PNG)).put("detail", "low");
            s.turn(thread, input);
            input = Json.MAPPER.createArrayNode();
            input.addObject().put("type", "text").put("text", "and in this one?");
            input.addObject().put("type", "localImage").put("path", png.toString());
            s.turn(thread, input);
        }
    }

    /** apply_patch adds a file and then updates it. */
    static void fileChange(Path out, Path codex) throws IOException {
        try (OfflineCodex offline = offline(codex).start(); Session s = new Session(offline, out.resolve("file_change.jsonl"))) {
            offline.server().enqueue(
                    ModelReply.applyPatch("*** Begin Patch\n*** Add File: notes.txt\n+first line\n*** End Patch\n"),
                    ModelReply.applyPatch("*** Begin Patch\n*** Update File: notes.txt\n@@\n-first line\n+first line, edited\n"
                            + "+second line\n*** End Patch\n"),
                    ModelReply.message("Wrote notes.txt."));
            s.initialize();
            s.turn(s.startThread(), text("write notes.txt"));
        }
    }

    /** exec_command runs a command whose output streams back. */
    static void commandExecution(Path out, Path codex) throws IOException {
        try (OfflineCodex offline = offline(codex).start(); Session s = new Session(offline, out.resolve("command_execution.jsonl"))) {
            offline.server().enqueue(ModelReply.execCommand("echo hello from the shell && printf 'a\\nb\\n'"),
                    ModelReply.message("The command printed a greeting."));
            s.initialize();
            s.turn(s.startThread(), text("run a command"));
        }
    }

    /** A read-only sandbox and on-request approvals: an escalated command asks, and is accepted. */
    static void commandApproval(Path out, Path codex) throws IOException {
        try (OfflineCodex offline = offline(codex).approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY).start();
                Session s = new Session(offline, out.resolve("command_approval.jsonl"))) {
            offline.server().enqueue(ModelReply.execCommandEscalated("touch marker.txt", "needs to write"),
                    ModelReply.message("Created it."));
            s.initialize();
            s.turn(s.startThread(), text("create marker.txt"));
        }
    }

    /** The request_permissions tool (feature request_permissions_tool) asks for the network; nothing is granted. */
    static void permissionsApproval(Path out, Path codex) throws IOException {
        try (OfflineCodex offline = offline(codex).approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY).config("features.request_permissions_tool", "true")
                        .start();
                Session s = new Session(offline, out.resolve("permissions_approval.jsonl"))) {
            offline.server().enqueue(ModelReply.functionCall("request_permissions",
                            "{\"reason\":\"needs the network\",\"permissions\":{\"network\":{\"enabled\":true}}}"),
                    ModelReply.message("No network, then."));
            s.initialize();
            s.turn(s.startThread(), text("fetch a page"));
        }
    }

    /**
     * An MCP server (a small Python script over stdio) starts with the thread; the client calls its
     * tool through {@code mcpServer/tool/call} and lists the servers. (A model-driven call inside a
     * turn needs a function call in the {@code mcp__echo} namespace, which the mock model does not
     * write.)
     */
    static void mcpToolCall(Path out, Path codex) throws IOException {
        Path script = Files.createTempFile("codex4j-mcp-echo", ".py");
        Files.writeString(script, MCP_SERVER);
        try (OfflineCodex offline = offline(codex)
                        .config("mcp_servers.echo.command", "\"python3\"")
                        .config("mcp_servers.echo.args", "[\"" + script + "\"]")
                        .start();
                Session s = new Session(offline, out.resolve("mcp_tool_call.jsonl"))) {
            s.initialize();
            String thread = s.startThread();
            // MCP servers start with the first thread.
            s.awaitNotification(m -> m.path("method").asString("").equals("mcpServer/startupStatus/updated")
                    && m.path("params").path("status").asString("").equals("ready"), Duration.ofSeconds(20));
            ObjectNode call = Json.object().put("threadId", thread).put("server", "echo").put("tool", "echo");
            call.putObject("arguments").put("text", "ping");
            s.request("mcpServer/tool/call", call);
            s.request("mcpServerStatus/list", Json.object());
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static ArrayNode text(String t) {
        ArrayNode input = Json.MAPPER.createArrayNode();
        input.addObject().put("type", "text").put("text", t);
        return input;
    }

    /** One app-server process whose traffic is written to a transcript as it happens. */
    static final class Session implements AutoCloseable {
        private final OfflineCodex offline;
        private final Process process;
        private final OutputStream stdin;
        private final BufferedWriterRows rows;
        private final long start = System.nanoTime();
        private final AtomicLong ids = new AtomicLong();
        private final ReentrantLock lock = new ReentrantLock();
        private final ReentrantLock writeLock = new ReentrantLock();
        private final Condition arrived = lock.newCondition();
        private final List<JsonNode> received = new ArrayList<>();
        private final Thread stdout;
        private final Thread stderr;

        Session(OfflineCodex offline, Path file) throws IOException {
            this.offline = offline;
            this.rows = new BufferedWriterRows(file, Map.of(
                    offline.workDir().toString(), "/home/dev/workspace",
                    offline.codexHome().toString(), "/home/dev/.codex-test-home"));
            this.process = offline.startAppServer();
            this.stdin = process.getOutputStream();
            this.stdout = Thread.ofVirtual().start(() -> readStdout(process.getInputStream()));
            this.stderr = Thread.ofVirtual().start(() -> readStderr(process.getErrorStream()));
        }

        private double t() {
            return (System.nanoTime() - start) / 1e9;
        }

        private void readStdout(InputStream in) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    rows.message(t(), "s2c", line);
                    JsonNode msg = Json.MAPPER.readTree(line);
                    if (msg.has("method") && msg.has("id")) {
                        answer(msg);
                    }
                    lock.lock();
                    try {
                        received.add(msg);
                        arrived.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void readStderr(InputStream in) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    rows.stderr(t(), line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Accepts whatever the server asks (approvals, MCP elicitations). */
        private void answer(JsonNode request) {
            ObjectNode result = Json.object();
            switch (request.path("method").asString()) {
                case "mcpServer/elicitation/request" -> result.put("action", "accept").set("content", Json.object());
                case "item/permissions/requestApproval" -> result.set("permissions", Json.object());
                default -> result.put("decision", "accept");
            }
            ObjectNode reply = Json.object();
            reply.set("id", request.get("id"));
            reply.set("result", result);
            send(reply);
        }

        void send(JsonNode msg) {
            String line = Json.write(msg);
            writeLock.lock();
            try {
                rows.message(t(), "c2s", line);
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writeLock.unlock();
            }
        }

        /** @return the response (a result or an error) */
        JsonNode call(String method, JsonNode params) {
            long id = ids.getAndIncrement();
            ObjectNode m = Json.object().put("id", id).put("method", method);
            m.set("params", params);
            send(m);
            return awaitNotification(x -> !x.has("method") && x.path("id").asLong(-1) == id, TURN);
        }

        JsonNode request(String method, JsonNode params) {
            JsonNode reply = call(method, params);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.get("result");
        }

        void initialize() {
            ObjectNode params = Json.object();
            params.putObject("clientInfo").put("name", "codex4j-recorder").put("title", "codex4j transcript recorder")
                    .put("version", "0.1.0");
            request("initialize", params);
            send(Json.object().put("method", "initialized"));
        }

        String startThread() {
            return request("thread/start", Json.object().put("cwd", offline.workDir().toString()))
                    .path("thread").path("id").asString();
        }

        void turn(String thread, ArrayNode input) {
            ObjectNode params = Json.object().put("threadId", thread);
            params.set("input", input);
            String turn = request("turn/start", params).path("turn").path("id").asString();
            awaitNotification(m -> m.path("method").asString("").equals("turn/completed")
                    && m.path("params").path("turn").path("id").asString("").equals(turn), TURN);
        }

        JsonNode awaitNotification(Predicate<JsonNode> p, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                for (int seen = 0; ; ) {
                    for (; seen < received.size(); seen++) {
                        if (p.test(received.get(seen))) {
                            return received.get(seen);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("timed out");
                    }
                    arrived.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            try {
                stdin.close();
                process.waitFor(10, TimeUnit.SECONDS);
                stdout.join(5000);
                stderr.join(5000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                rows.close();
            }
        }
    }

    /** Writes rows in order, with the run's private paths replaced. */
    static final class BufferedWriterRows {
        private final ReentrantLock lock = new ReentrantLock();
        private final java.io.BufferedWriter w;
        private final Map<String, String> rewrite;

        BufferedWriterRows(Path file, Map<String, String> rewrite) throws IOException {
            this.w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            this.rewrite = rewrite;
        }

        private String neutral(String s) {
            for (Map.Entry<String, String> e : rewrite.entrySet()) {
                s = s.replace(e.getKey(), e.getValue());
            }
            return s;
        }

        void message(double t, String dir, String line) {
            String l = neutral(line);
            ObjectNode row = Json.object().put("t", Math.round(t * 1e6) / 1e6).put("dir", dir);
            row.set("msg", Json.MAPPER.readTree(l));
            row.put("line", l);
            write(row);
        }

        void stderr(double t, String line) {
            write(Json.object().put("t", Math.round(t * 1e6) / 1e6).put("dir", "stderr").put("raw", neutral(line)));
        }

        private void write(ObjectNode row) {
            lock.lock();
            try {
                w.write(Json.write(row));
                w.write('\n');
                w.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                w.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lock.unlock();
            }
        }
    }
}
