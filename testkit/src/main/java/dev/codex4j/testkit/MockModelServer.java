package dev.codex4j.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An in-process mock of the subset of the OpenAI Responses API that Codex uses: {@code POST
 * /v1/responses} answered as a server-sent event stream. Listens on 127.0.0.1, on a free port.
 *
 * <p>Each request gets the first reply that applies, in this order: a matching rule added with
 * {@link #when} (rules are tried in the order they were added; a rule retires once its replies are
 * used up), a rule added with {@link #whenAlways}, the next reply of the {@link #enqueue} queue,
 * then the {@link #defaultReply} (a {@code final_answer} message {@code "mock reply to: <prompt>"}).
 * Rules let many threads share one server: key them on {@link RecordedRequest#lastUserText()} or
 * {@link RecordedRequest#threadId()}.
 *
 * <pre>{@code
 * try (MockModelServer server = MockModelServer.start()) {
 *     server.enqueue(ModelReply.message("hello"));
 *     server.when(r -> r.lastUserText().contains("[thread-7]"), ModelReply.message("seven"));
 *     // point Codex at server.baseUrl() ...
 *     assertEquals(1, server.requests().size());
 * }
 * }</pre>
 */
public final class MockModelServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MockModelServer.class.getName());
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private record Rule(Predicate<RecordedRequest> predicate, Deque<ModelReply> replies,
            Function<RecordedRequest, ModelReply> responder) {}

    private final HttpServer http;
    private final ExecutorService executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Rule> rules = new ArrayList<>();
    private final List<Rule> alwaysRules = new ArrayList<>();
    private final Deque<ModelReply> queue = new ArrayDeque<>();
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private final LinkedBlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final CountDownLatch closed = new CountDownLatch(1);
    private Function<RecordedRequest, ModelReply> defaultReply =
            r -> ModelReply.message("mock reply to: " + r.lastUserText());

    private MockModelServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @return the running server
     * @throws UncheckedIOException when no socket can be bound
     */
    public static MockModelServer start() {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the mock model server on 127.0.0.1", e);
        }
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("mock-model-", 0).factory());
        MockModelServer server = new MockModelServer(http, executor);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    /** @return the port the server listens on */
    public int port() {
        return http.getAddress().getPort();
    }

    /** @return the base URL for a provider's {@code base_url}: {@code http://127.0.0.1:PORT/v1} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /**
     * Queues replies, answered in order to requests that no rule takes.
     *
     * @return this server
     */
    public MockModelServer enqueue(ModelReply... replies) {
        List<ModelReply> list = Arrays.asList(replies.clone());
        list.forEach(r -> Objects.requireNonNull(r, "reply"));
        lock.lock();
        try {
            queue.addAll(list);
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Adds a rule: requests matching {@code predicate} get these replies, one per request, in order.
     * The rule retires when they are used up. A tool call and the reply after its output are two
     * requests, so script both: {@code when(p, ModelReply.execCommand("ls"), ModelReply.message("done"))}.
     *
     * @return this server
     */
    public MockModelServer when(Predicate<RecordedRequest> predicate, ModelReply... replies) {
        Objects.requireNonNull(predicate, "predicate");
        if (replies.length == 0) {
            throw new IllegalArgumentException("when(...) needs at least one reply");
        }
        Deque<ModelReply> deque = new ArrayDeque<>(Arrays.asList(replies));
        lock.lock();
        try {
            rules.add(new Rule(predicate, deque, null));
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Adds a rule that never retires: every matching request is answered by {@code responder}.
     * Consulted after the {@link #when} rules.
     *
     * @return this server
     */
    public MockModelServer whenAlways(Predicate<RecordedRequest> predicate,
            Function<RecordedRequest, ModelReply> responder) {
        Objects.requireNonNull(predicate, "predicate");
        Objects.requireNonNull(responder, "responder");
        lock.lock();
        try {
            alwaysRules.add(new Rule(predicate, null, responder));
        } finally {
            lock.unlock();
        }
        return this;
    }

    /**
     * Replaces the reply for requests nothing else answers.
     *
     * @return this server
     */
    public MockModelServer defaultReply(Function<RecordedRequest, ModelReply> responder) {
        Objects.requireNonNull(responder, "responder");
        lock.lock();
        try {
            defaultReply = responder;
        } finally {
            lock.unlock();
        }
        return this;
    }

    /** @return every request received so far, in arrival order */
    public List<RecordedRequest> requests() {
        lock.lock();
        try {
            return List.copyOf(recorded);
        } finally {
            lock.unlock();
        }
    }

    /** @return how many requests arrived so far */
    public int requestCount() {
        return arrivals.get();
    }

    /** @return how many queued and rule replies are still unused */
    public int pendingReplies() {
        lock.lock();
        try {
            return queue.size() + rules.stream().mapToInt(r -> r.replies().size()).sum();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the oldest request not taken yet, waiting for it to arrive.
     *
     * @param timeout how long to wait
     * @return the request
     * @throws IllegalStateException when none arrives in time
     */
    public RecordedRequest takeRequest(Duration timeout) {
        try {
            RecordedRequest r = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new IllegalStateException("no request reached the mock model within " + timeout
                        + " (" + requestCount() + " received in total)");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request", e);
        }
    }

    /** Stops listening, ends stalled streams and waits briefly for handlers to finish. Idempotent. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        http.stop(0);
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "mock model handlers did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ModelReply choose(RecordedRequest request) {
        lock.lock();
        try {
            for (var it = rules.iterator(); it.hasNext();) {
                Rule rule = it.next();
                if (rule.predicate().test(request)) {
                    ModelReply reply = rule.replies().poll();
                    if (rule.replies().isEmpty()) {
                        it.remove();
                    }
                    return reply;
                }
            }
            for (Rule rule : alwaysRules) {
                if (rule.predicate().test(request)) {
                    return Objects.requireNonNull(rule.responder().apply(request), "whenAlways responder returned null");
                }
            }
            ModelReply queued = queue.poll();
            if (queued != null) {
                return queued;
            }
            return Objects.requireNonNull(defaultReply.apply(request), "default reply responder returned null");
        } finally {
            lock.unlock();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            RecordedRequest request = new RecordedRequest(arrivals.getAndIncrement(), exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), headers, RecordedRequest.parseBody(raw), raw, Instant.now());
            lock.lock();
            try {
                recorded.add(request);
            } finally {
                lock.unlock();
            }
            untaken.add(request);
            if (!request.method().equals("POST") || !request.path().endsWith("/responses")) {
                sendJson(exchange, 404, "{\"error\":{\"message\":\"the mock model serves only POST /v1/responses\"}}");
                return;
            }
            ModelReply reply;
            try {
                reply = choose(request);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "choosing a mock reply failed", e);
                sendJson(exchange, 500, "{\"error\":{\"message\":\"mock rule failed: " + e + "\"}}");
                return;
            }
            if (reply.status() != 200) {
                sendJson(exchange, reply.status(), reply.errorBody());
                return;
            }
            stream(exchange, reply);
        } catch (IOException e) {
            // The client went away mid-stream (an interrupted turn): nothing left to do.
            LOG.log(Level.DEBUG, "mock model stream ended early: {0}", e.toString());
        }
    }

    private static void sendJson(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void stream(HttpExchange exchange, ModelReply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        List<ModelReply.Event> events = reply.render(ids);
        long delayNanos = reply.delay().toNanos();
        int sent = 0;
        for (ModelReply.Event e : events) {
            if (reply.disconnectAfterEvents() >= 0 && sent >= reply.disconnectAfterEvents()) {
                // The stream ends without response.completed: to Codex that is a broken stream.
                throw new IOException("scripted disconnect after " + sent + " events");
            }
            if (delayNanos > 0 && !sleep(delayNanos)) {
                return;
            }
            out.write(("event: " + e.type() + "\ndata: " + Json.write(e.data()) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            sent++;
        }
        if (reply.stalls()) {
            // Keep-alive comments make a vanished client show up as a write error.
            while (sleep(TimeUnit.MILLISECONDS.toNanos(200))) {
                out.write(KEEP_ALIVE);
                out.flush();
            }
        }
    }

    /** @return false when the server closed (or the handler was interrupted) during the wait */
    private boolean sleep(long nanos) {
        try {
            return !closed.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
