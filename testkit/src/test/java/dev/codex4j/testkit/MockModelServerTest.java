package dev.codex4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class MockModelServerTest {
    private final MockModelServer server = MockModelServer.start();

    record Sse(int status, List<String> types, List<JsonNode> data, String body) {
        String text() {
            return data.stream().filter(d -> d.path("type").asString().equals("response.output_text.delta"))
                    .map(d -> d.path("delta").asString()).collect(Collectors.joining());
        }

        JsonNode last() {
            return data.get(data.size() - 1);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Sse post(String userText) throws Exception {
        ObjectNode body = Json.object().put("model", "mock-model").put("stream", true);
        body.putArray("input").addObject().put("type", "message").put("role", "user").putArray("content")
                .addObject().put("type", "input_text").put("text", userText);
        HttpURLConnection c = (HttpURLConnection) URI.create(server.baseUrl() + "/responses").toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        c.setRequestProperty("thread-id", "thread-" + userText);
        c.setRequestProperty("Content-Type", "application/json");
        c.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
        int status = c.getResponseCode();
        String text;
        try (var in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> types = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            String type = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    JsonNode d = Json.parse(line.substring(6), "sse data");
                    assertEquals(type, d.path("type").asString(), "event name and data type agree");
                    types.add(type);
                    data.add(d);
                }
            }
        }
        return new Sse(status, types, data, text);
    }

    @Test
    void queuedRepliesAreServedInOrder() throws Exception {
        server.enqueue(ModelReply.message("first"), ModelReply.message("second"));
        assertEquals("first", post("a").text());
        assertEquals("second", post("b").text());
        assertEquals(0, server.pendingReplies());
    }

    @Test
    void messageStreamHasTheShapeCodexExpects() throws Exception {
        server.enqueue(ModelReply.message("Hello mock world"));
        Sse sse = post("x");
        assertEquals(List.of("response.created", "response.output_item.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.delta", "response.output_item.done",
                "response.completed"), sse.types());
        JsonNode done = sse.data().get(5).path("item");
        assertEquals("assistant", done.path("role").asString());
        assertEquals("final_answer", done.path("phase").asString());
        assertEquals("Hello mock world", done.path("content").get(0).path("text").asString());
        JsonNode usage = sse.last().path("response").path("usage");
        assertEquals(110, usage.path("total_tokens").asInt());
        assertTrue(usage.path("input_tokens_details").has("cached_tokens"));
    }

    @Test
    void defaultReplyEchoesThePrompt() throws Exception {
        assertEquals("mock reply to: ping", post("ping").text());
    }

    @Test
    void rulesChooseByRequestAndRetireWhenUsed() throws Exception {
        server.when(r -> r.lastUserText().equals("t1"), ModelReply.message("one"));
        server.enqueue(ModelReply.message("queued"));
        assertEquals("one", post("t1").text());
        assertEquals("queued", post("t1").text());
        assertEquals("mock reply to: t1", post("t1").text());
    }

    @Test
    void whenAlwaysAnswersEveryMatch() throws Exception {
        server.whenAlways(r -> r.threadId().orElse("").startsWith("thread-"),
                r -> ModelReply.message("for " + r.threadId().orElseThrow()));
        assertEquals("for thread-a", post("a").text());
        assertEquals("for thread-b", post("b").text());
    }

    @Test
    void concurrentThreadsEachGetTheirOwnReply() throws Exception {
        for (int i = 0; i < 32; i++) {
            String key = "q" + i;
            server.when(r -> r.lastUserText().equals(key), ModelReply.message("answer " + key));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String key = "q" + i;
                results.add(pool.submit(() -> post(key).text()));
            }
            for (int i = 0; i < 32; i++) {
                assertEquals("answer q" + i, results.get(i).get());
            }
        }
        assertEquals(32, server.requestCount());
    }

    @Test
    void requestsAreRecordedWithBodyAndHeaders() throws Exception {
        post("recorded");
        RecordedRequest r = server.takeRequest(Duration.ofSeconds(1));
        assertEquals("POST", r.method());
        assertEquals("/v1/responses", r.path());
        assertEquals("recorded", r.lastUserText());
        assertEquals("thread-recorded", r.header("Thread-Id").orElseThrow());
        assertEquals("mock-model", r.model());
        assertEquals(List.of(r), server.requests());
    }

    @Test
    void takeRequestTimesOutWithAClearMessage() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> server.takeRequest(Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("no request"), e.getMessage());
    }

    @Test
    void httpErrorIsAPlainStatus() throws Exception {
        server.enqueue(ModelReply.httpError(503));
        Sse sse = post("x");
        assertEquals(503, sse.status());
        assertTrue(sse.body().contains("error"));
    }

    @Test
    void failedReplyEndsWithResponseFailed() throws Exception {
        server.enqueue(ModelReply.commentary("trying").thenFail("server_error", "gave up"));
        Sse sse = post("x");
        assertEquals("response.failed", sse.types().get(sse.types().size() - 1));
        assertEquals("gave up", sse.last().path("response").path("error").path("message").asString());
    }

    @Test
    void longMessageHasExactlyTheAskedDeltas() throws Exception {
        server.enqueue(ModelReply.longMessage(2500));
        Sse sse = post("x");
        assertEquals(2500, sse.types().stream().filter(t -> t.equals("response.output_text.delta")).count());
    }

    @Test
    void eventDelaySlowsTheStream() throws Exception {
        server.enqueue(ModelReply.message("a b c").eventDelay(Duration.ofMillis(40)));
        long start = System.nanoTime();
        post("x");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 7 * 40 - 5);
    }

    @Test
    void toolCallsCarryTheirArguments() throws Exception {
        server.enqueue(ModelReply.execCommandEscalated("touch x", "why").callId("call_9")
                .then(ModelReply.applyPatch("*** Begin Patch\n*** End Patch\n")).then(ModelReply.reasoning("hmm")));
        Sse sse = post("x");
        List<JsonNode> done = sse.data().stream()
                .filter(d -> d.path("type").asString().equals("response.output_item.done")).map(d -> d.path("item"))
                .toList();
        assertEquals("function_call", done.get(0).path("type").asString());
        assertEquals("call_9", done.get(0).path("call_id").asString());
        JsonNode args = Json.parse(done.get(0).path("arguments").asString(), "args");
        assertEquals("require_escalated", args.path("sandbox_permissions").asString());
        assertEquals("custom_tool_call", done.get(1).path("type").asString());
        assertEquals("apply_patch", done.get(1).path("name").asString());
        assertEquals("hmm", done.get(2).path("summary").get(0).path("text").asString());
    }

    @Test
    void stalledStreamEndsWhenTheServerCloses() throws Exception {
        server.enqueue(ModelReply.stall());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Sse> pending = pool.submit(() -> post("x"));
            server.takeRequest(Duration.ofSeconds(5));
            server.close();
            Sse sse = pending.get();
            assertEquals(List.of("response.created"), sse.types());
        } catch (java.util.concurrent.ExecutionException e) {
            assertTrue(e.getCause() instanceof IOException, e.toString());
        }
    }

    @Test
    void closedServerRefusesConnections() {
        int port = server.port();
        server.close();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void modifiersRejectTheWrongItem() {
        assertThrows(IllegalStateException.class, () -> ModelReply.execCommand("ls").phase(Phase.COMMENTARY));
        assertThrows(IllegalArgumentException.class, () -> ModelReply.httpError(200));
        assertThrows(IllegalArgumentException.class, () -> ModelReply.functionCall("f", "{not json"));
    }
}
