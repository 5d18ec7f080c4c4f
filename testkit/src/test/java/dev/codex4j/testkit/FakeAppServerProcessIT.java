package dev.codex4j.testkit;

import static dev.codex4j.testkit.ScriptStep.exit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.AppServerLaunch;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fake app-server as a real child process, started the way a stdio transport starts Codex. */
class FakeAppServerProcessIT {

    @Test
    void childProcessSpeaksTheProtocolRecordsAndExitsWithTheScriptedCode() throws Exception {
        FakeAppServer.Script script = FakeAppServer.script().defaultAnswer("from the child")
                .onRequest("thread/archive", exit(7));
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script)) {
            AppServerLaunch launch = fake.launch().withConfig("model", "\"m\"");
            ProcessBuilder pb = new ProcessBuilder(launch.command(launch.resolveExecutable()));
            Process p = pb.start();
            try (RawRpcClient rpc = RawRpcClient.of(p)) {
                rpc.initialize();
                String thread = rpc.startThread();
                String turn = rpc.startTurn(thread, "hello child");
                assertEquals("completed", rpc.awaitTurnCompleted(turn, Duration.ofSeconds(10))
                        .path("turn").path("status").asString());
                rpc.write(Json.object().put("id", 50).put("method", "thread/archive").set("params", Json.object()));
                assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                assertEquals(7, p.exitValue());
            }
            assertEquals(List.of("app-server", "-c", "model=\"m\""), fake.arguments());
            assertEquals("hello child", fake.requests("turn/start").get(0).path("params").path("input").get(0)
                    .path("text").asString());
            assertEquals(1, fake.requests("initialized").size());
        }
    }

    @Test
    void closingStdinEndsTheChildWithZeroAndCloseDeletesItsFiles() throws Exception {
        FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script());
        Process p = fake.start();
        try (RawRpcClient rpc = RawRpcClient.of(p)) {
            rpc.initialize();
        }
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        fake.close();
        assertFalse(Files.exists(fake.directory()));
    }
}
