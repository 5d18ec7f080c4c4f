package dev.codex4j.spring.boot.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.spring.boot.CodexBuilderCustomizer;
import dev.codex4j.spring.boot.CodexShutdown;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The starter in a real Boot web application (Boot 3.5 here, 4.0 in
 * spring-boot-starter-boot4-tests, same source), on a random port, with the real Codex CLI and
 * testkit's mock model: turns through {@code POST /ask}, then {@code /actuator/health} and
 * {@code /actuator/metrics/...} over HTTP; and graceful shutdown with a turn in flight.
 */
class StarterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private OfflineCodex offline;
    private ConfigurableApplicationContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        if (offline != null) {
            offline.close();
        }
    }

    private ConfigurableApplicationContext start(String... properties) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(AskApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off",
                        "management.endpoints.web.exposure.include=health,metrics",
                        "management.endpoint.health.show-details=always")
                .properties(properties)
                // The one thing the properties cannot say: start the CLI against the mock model.
                .initializers(c -> ((GenericApplicationContext) c).registerBean(CodexBuilderCustomizer.class,
                        () -> (endpoint, builder) -> builder.launch(offline.launch())));
        return app.run();
    }

    private String base() {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    private HttpResponse<String> ask(String prompt) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/ask")).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(prompt)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    /** The value of one statistic (COUNT, TOTAL, VALUE, ...) of a meter, through the metrics endpoint. */
    private double metric(String nameAndTags, String statistic) throws Exception {
        for (JsonNode m : get("/actuator/metrics/" + nameAndTags).path("measurements")) {
            if (m.path("statistic").asString().equals(statistic)) {
                return m.path("value").asDouble();
            }
        }
        throw new AssertionError("no " + statistic + " in " + nameAndTags);
    }

    @Test
    void turnsOverHttpShowInHealthAndMetrics() throws Exception {
        offline = OfflineCodex.builder().approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                .sandbox(OfflineCodex.SandboxMode.READ_ONLY).start();
        offline.server().enqueue(ModelReply.message("hello from the mock")
                .usage(new ModelReply.Usage(120, 0, 7, 0)));
        // The second turn's command asks to leave the sandbox: nobody defined an approval bean, so
        // the SDK's default refusal answers (0.171.0 offers no decline: cancel, the turn ends interrupted).
        offline.server().enqueue(ModelReply.execCommandEscalated("echo hi", "needs to leave the sandbox"));
        context = start();

        HttpResponse<String> first = ask("say hello");
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("completed: hello from the mock", first.body());
        assertEquals(120, metric("gen_ai.client.token.usage?tag=gen_ai.token.type:input", "TOTAL"), 0.0);
        assertEquals(7, metric("gen_ai.client.token.usage?tag=gen_ai.token.type:output&tag=gen_ai.request.model:"
                + OfflineCodex.MODEL, "TOTAL"), 0.0);
        HttpResponse<String> second = ask("run a command");
        assertEquals(200, second.statusCode(), second.body());
        assertTrue(second.body().startsWith("interrupted"), second.body());

        JsonNode codex = get("/actuator/health").path("components").path("codex");
        assertEquals("UP", codex.path("status").asString(), codex.toString());
        assertEquals("CONNECTED", codex.path("details").path("state").asString());
        assertEquals(0, codex.path("details").path("restarts").asInt());
        assertEquals(0, codex.path("details").path("activeTurns").asInt());
        assertTrue(codex.path("details").has("account"), codex.toString());

        assertEquals(2, metric("codex.turns.started", "COUNT"));
        assertEquals(1, metric("codex.turns.completed?tag=status:completed&tag=gen_ai.request.model:"
                + OfflineCodex.MODEL, "COUNT"));
        assertEquals(1, metric("codex.turns.completed?tag=status:interrupted", "COUNT"));
        assertEquals(2, metric("gen_ai.client.operation.duration", "COUNT"));
        assertTrue(metric("gen_ai.client.operation.duration", "TOTAL_TIME") > 0);
        assertEquals(1, metric("codex.server.requests?tag=kind:command&tag=decision:cancel", "COUNT"));
        assertTrue(metric("codex.requests?tag=method:turn/start&tag=outcome:success", "COUNT") >= 2);
        assertEquals(0, metric("codex.restarts", "COUNT"));
        assertEquals(1, metric("codex.connected", "VALUE"));
        assertEquals(0, metric("codex.turns.active", "VALUE"));
    }

    @Test
    void shutdownLetsATurnInFlightFinishAndTakesNoNewOne() throws Exception {
        offline = OfflineCodex.start();
        offline.server().enqueue(ModelReply.message("finished during shutdown").eventDelay(Duration.ofMillis(300)));
        context = start("codex.shutdown.grace=20s");
        Codex codex = context.getBean(Codex.class);
        assertTrue(context.getBean(CodexShutdown.class).isRunning());

        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return ask("a slow answer");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WAIT).until(() -> codex.activeTurns() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
        await().atMost(WAIT).until(codex::isShuttingDown);

        // no new turn: it fails having sent nothing
        CapacityExceededException refused = assertThrows(CapacityExceededException.class,
                () -> codex.startThread().run("too late"));
        assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
        // the turn in flight finishes within the grace period, and its HTTP request answers
        HttpResponse<String> answer = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("completed: finished during shutdown", answer.body());
        closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(Codex.State.CLOSED, codex.state());
        assertEquals(1, offline.server().requestCount());
    }

    @Test
    void afterTheGracePeriodATurnInFlightIsEnded() throws Exception {
        offline = OfflineCodex.start();
        offline.server().enqueue(ModelReply.stall());
        context = start("codex.shutdown.grace=1s");
        Codex codex = context.getBean(Codex.class);

        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<String> r = ask("never answered");
                return r.statusCode() + " " + r.body();
            } catch (Exception e) {
                return "no answer: " + e; // the web server may stop before it writes the 500
            }
        });
        await().atMost(WAIT).until(() -> codex.activeTurns() == 1);
        long start = System.nanoTime();
        context.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(Codex.State.CLOSED, codex.state());
        assertTrue(took.compareTo(Duration.ofSeconds(1)) >= 0, "closed before the grace period: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "the close took " + took);
        String answer = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertFalse(answer.startsWith("200"), answer);
    }
}
