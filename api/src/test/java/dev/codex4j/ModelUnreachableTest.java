package dev.codex4j;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.ModelUnreachableException;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A server that retries the model for ever ("Reconnecting... waiting for network") reaches the user as a typed error. */
class ModelUnreachableTest {

    /** A turn whose server only ever says it is reconnecting. */
    private static FakeAppServer.Script reconnectingForEver() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.send(AppServerMessages.turnStarted(out.var("threadId"), out.var("turnId")));
            out.send(AppServerMessages.error(out.var("threadId"), out.var("turnId"), "Reconnecting... waiting for network",
                    "responseStreamDisconnected", true));
        }).onRequest("turn/interrupt", ScriptStep.respondEmpty());
    }

    private static Codex connect(FakeAppServer fake, Duration reconnectTimeout) {
        return Codex.builder().streams(fake.clientInput(), fake.clientOutput()).reconnectTimeout(reconnectTimeout).build();
    }

    @Test
    void runGivesUpWithModelUnreachableAndInterruptsTheTurn() {
        try (FakeAppServer fake = FakeAppServer.inProcess(reconnectingForEver()); Codex codex = connect(fake, Duration.ofMillis(300))) {
            CodexThread thread = codex.startThread();
            ModelUnreachableException e = assertThrows(ModelUnreachableException.class, () -> thread.run("q"));
            assertEquals("Reconnecting... waiting for network", e.lastError().orElseThrow().message());
            assertTrue(e.retryingFor().compareTo(Duration.ofMillis(300)) >= 0, e.retryingFor().toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.requests("turn/interrupt").size() == 1);
        }
    }

    @Test
    void eventsGiveUpTheSameWay() {
        try (FakeAppServer fake = FakeAppServer.inProcess(reconnectingForEver()); Codex codex = connect(fake, Duration.ofMillis(300));
                TurnEventStream events = codex.startThread().turn("q").events()) {
            assertThrows(ModelUnreachableException.class, () -> {
                for (TurnEvent ignored : events) {
                    // the turn/started, the error, then the limit
                }
            });
        }
    }

    @Test
    void aTurnThatRecoversFromRetriesIsNotAffected() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")),
                ScriptStep.send(AppServerMessages.error("${threadId}", "${turnId}", "Reconnecting... 1/5",
                        "responseStreamDisconnected", true)),
                ScriptStep.delay(Duration.ofMillis(100)),
                ScriptStep.simpleTurn("recovered"));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake, Duration.ofSeconds(5))) {
            RunResult r = codex.startThread().run("q");
            assertEquals(TurnStatus.COMPLETED, r.status());
            assertEquals("recovered", r.finalResponse().orElseThrow());
        }
    }
}
