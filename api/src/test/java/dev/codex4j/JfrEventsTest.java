package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK's flight-recorder events, recorded around a turn with an approval against the fake app-server. */
class JfrEventsTest {

    @Test
    void aTurnWithAnApprovalRecordsTurnRequestServerRequestAndDispatcherEvents(@TempDir Path dir) throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("turn/start",
                ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")), ScriptStep.commandApproval("ls"),
                ScriptStep.simpleTurn("done"));
        Path file = dir.resolve("codex4j.jfr");
        RunResult result;
        try (Recording recording = new Recording()) {
            for (String name : List.of("dev.codex4j.Turn", "dev.codex4j.Request", "dev.codex4j.ServerRequest",
                    "dev.codex4j.Dispatcher")) {
                recording.enable(name);
            }
            recording.start();
            try (FakeAppServer fake = FakeAppServer.inProcess(script);
                    Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
                result = codex.startThread().run("q");
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent turn = only(events, "dev.codex4j.Turn");
        assertEquals(result.turnId(), turn.getString("turnId"));
        assertEquals("completed", turn.getString("status"));
        assertEquals(100, turn.getLong("inputTokens"));
        assertTrue(events.stream().anyMatch(e -> named(e, "dev.codex4j.Request") && "turn/start".equals(e.getString("method"))
                && "ok".equals(e.getString("outcome"))), events.toString());
        RecordedEvent approval = only(events, "dev.codex4j.ServerRequest");
        assertEquals("item/commandExecution/requestApproval", approval.getString("method"));
        assertEquals("decline", approval.getString("decision"));
        assertTrue(events.stream().anyMatch(e -> named(e, "dev.codex4j.Dispatcher") && e.getInt("lines") > 0), events.toString());
    }

    private static boolean named(RecordedEvent e, String name) {
        return e.getEventType().getName().equals(name);
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = events.stream().filter(e -> named(e, name)).toList();
        assertEquals(1, found.size(), name + " in " + events);
        return found.get(0);
    }
}
