package dev.codex4j.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.AppServerLaunch;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Closing the fixture leaves no process, port or directory behind. */
class OfflineCodexCleanupIT {

    @Test
    void closeLeavesNoProcessPortOrDirectory() throws Exception {
        OfflineCodex offline = OfflineCodex.start();
        Process tracked = offline.startAppServer();
        // What the SDK does: start the process itself from the launch settings, and forget to close it.
        AppServerLaunch launch = offline.launch();
        ProcessBuilder pb = new ProcessBuilder(launch.command(launch.resolveExecutable()));
        pb.environment().putAll(launch.environment());
        pb.directory(launch.workingDirectory().toFile());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process untracked = pb.start();
        RawRpcClient rpc1 = RawRpcClient.of(tracked);
        RawRpcClient rpc2 = RawRpcClient.of(untracked);
        rpc1.initialize();
        rpc2.initialize();
        int port = offline.server().port();
        Path home = offline.codexHome();
        Path work = offline.workDir();
        assertTrue(Files.exists(home.resolve("config.toml")));
        assertTrue(tracked.isAlive() && untracked.isAlive());

        offline.close();

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> !tracked.toHandle().isAlive() && !untracked.toHandle().isAlive());
        assertFalse(ProcessHandle.of(tracked.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(ProcessHandle.of(untracked.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        assertFalse(Files.exists(home), home + " still exists");
        assertFalse(Files.exists(work), work + " still exists");
        assertFalse(Files.exists(home.getParent()), home.getParent() + " still exists");
        rpc1.close();
        rpc2.close();
    }
}
