package dev.codex4j.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A minimal raw JSON-RPC client for tests, until the SDK exists: writes JSON lines, reads lines on
 * a virtual thread, matches responses by id, answers server requests with a handler.
 */
final class RawRpcClient implements AutoCloseable {
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<JsonNode> messages = new ArrayList<>();
    private final List<String> badLines = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile Function<JsonNode, JsonNode> serverRequestHandler =
            req -> Json.object().put("decision", "decline");
    private boolean eof;

    RawRpcClient(InputStream in, OutputStream out) {
        this.out = out;
        this.reader = Thread.ofVirtual().name("raw-rpc-reader").start(() -> readLoop(in));
    }

    static RawRpcClient of(Process p) {
        return new RawRpcClient(p.getInputStream(), p.getOutputStream());
    }

    void onServerRequest(Function<JsonNode, JsonNode> handler) {
        this.serverRequestHandler = handler;
    }

    private void readLoop(InputStream in) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode msg;
                try {
                    msg = Json.MAPPER.readTree(line);
                } catch (RuntimeException e) {
                    lock.lock();
                    try {
                        badLines.add(line);
                        arrived.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                if (msg.has("method") && msg.has("id")) {
                    JsonNode result = serverRequestHandler.apply(msg);
                    ObjectNode reply = Json.object();
                    reply.set("id", msg.get("id"));
                    reply.set("result", result);
                    write(reply);
                }
                lock.lock();
                try {
                    messages.add(msg);
                    arrived.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            // The process went away.
        } finally {
            lock.lock();
            try {
                eof = true;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    void write(JsonNode msg) {
        writeRaw(Json.write(msg));
    }

    void writeRaw(String line) {
        lock.lock();
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Sends a request and returns the whole response message (with result or error). */
    JsonNode call(String method, JsonNode params, Duration timeout) {
        long id = ids.getAndIncrement();
        ObjectNode req = Json.object().put("id", id).put("method", method);
        req.set("params", params);
        write(req);
        return await(m -> !m.has("method") && m.path("id").isNumber() && m.path("id").asLong() == id, timeout);
    }

    /** Sends a request and returns its result, failing on an error reply. */
    JsonNode request(String method, JsonNode params) {
        JsonNode resp = call(method, params, Duration.ofSeconds(20));
        if (resp.has("error")) {
            throw new AssertionError(method + " failed: " + resp.get("error"));
        }
        return resp.get("result");
    }

    void notifyServer(String method) {
        write(Json.object().put("method", method));
    }

    JsonNode initialize() {
        ObjectNode params = Json.object();
        params.set("clientInfo", Json.object().put("name", "codex4j-testkit-it").put("title", "testkit IT")
                .put("version", "0.0.1"));
        JsonNode result = request("initialize", params);
        notifyServer("initialized");
        return result;
    }

    String startThread() {
        return request("thread/start", Json.object()).path("thread").path("id").asString();
    }

    String startTurn(String threadId, String text) {
        ObjectNode params = Json.object().put("threadId", threadId);
        params.putArray("input").addObject().put("type", "text").put("text", text);
        return request("turn/start", params).path("turn").path("id").asString();
    }

    /** Waits for the turn/completed of the given turn and returns its params. */
    JsonNode awaitTurnCompleted(String turnId, Duration timeout) {
        return await(m -> "turn/completed".equals(m.path("method").asString(""))
                && turnId.equals(m.path("params").path("turn").path("id").asString("")), timeout).get("params");
    }

    /** The first message so far (or arriving within the timeout) that matches. */
    JsonNode await(Predicate<JsonNode> p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            int scanned = 0;
            while (true) {
                for (; scanned < messages.size(); scanned++) {
                    if (p.test(messages.get(scanned))) {
                        return messages.get(scanned);
                    }
                }
                long left = deadline - System.nanoTime();
                if (eof) {
                    throw new AssertionError("stream ended; no matching message among " + messages.size());
                }
                if (left <= 0) {
                    throw new AssertionError("no matching message within " + timeout + "; got " + messages.size()
                            + " messages, last: " + (messages.isEmpty() ? "-" : messages.get(messages.size() - 1)));
                }
                arrived.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    List<JsonNode> messages() {
        lock.lock();
        try {
            return List.copyOf(messages);
        } finally {
            lock.unlock();
        }
    }

    List<JsonNode> notifications(String method) {
        return messages().stream().filter(m -> method.equals(m.path("method").asString(""))).toList();
    }

    List<String> badLines() {
        lock.lock();
        try {
            return List.copyOf(badLines);
        } finally {
            lock.unlock();
        }
    }

    boolean awaitEof(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!eof) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                arrived.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
