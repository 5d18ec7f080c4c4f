package dev.codex4j.internal.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.TransportClosedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The stdio transport against small shell children: supervision, process-tree cleanup, stderr. */
@Timeout(60)
class StdioTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static StdioTransport sh(String script, Duration closeTimeout) {
        return StdioTransport.start(List.of("/bin/sh", "-c", script), Map.of(), null, closeTimeout);
    }

    /** Reads one line from the transport, byte by byte (tests only). */
    static String readLine(Transport t) throws java.io.IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        byte[] one = new byte[1];
        while (t.read(one, 0, 1) == 1 && one[0] != '\n') {
            line.write(one[0]);
        }
        return line.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(CompletionException.class, () -> f.orTimeout(10, TimeUnit.SECONDS).join()).getCause();
    }

    @Test
    void linesGoBothWays() throws Exception {
        try (StdioTransport t = sh("read line; echo \"got $line\"; cat >/dev/null", Duration.ofSeconds(5))) {
            t.writeLine("{\"x\":1}");
            assertEquals("got {\"x\":1}", readLine(t));
        }
    }

    @Test
    void environmentAndWorkingDirectoryReachTheChild(@TempDir Path dir) throws Exception {
        try (StdioTransport t = StdioTransport.start(List.of("/bin/sh", "-c", "echo \"$CODEX4J_TEST_VAR $(pwd)\""),
                Map.of("CODEX4J_TEST_VAR", "hello"), dir, Duration.ofSeconds(5))) {
            assertEquals("hello " + dir.toRealPath(), readLine(t));
        }
    }

    @Test
    void killedChildFailsAllWaitersWithinOneSecond() throws Exception {
        StdioTransport t = sh("echo 'starting up' >&2; exec cat >/dev/null", Duration.ofSeconds(5));
        try (Connection c = Connection.open(t)) {
            CompletableFuture<JsonNode> pending = c.request("thread/start", ProtocolCodec.emptyObject());
            TurnMailbox box = c.turnMailbox("th", "tu");
            CompletableFuture<Throwable> consumer = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    box.take(Duration.ofSeconds(30));
                    consumer.complete(null);
                } catch (Throwable e) {
                    consumer.complete(e);
                }
            });
            await().atMost(WAIT).until(() -> t.stderrTail().contains("starting up"));
            long start = System.nanoTime();
            t.processHandle().destroyForcibly(); // kill -9
            Throwable requestFailure = failure(pending);
            Throwable consumerFailure = consumer.get(1, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - start;
            assertTrue(elapsed < TimeUnit.SECONDS.toNanos(1), "took " + elapsed / 1_000_000 + " ms");
            TransportClosedException e = assertInstanceOf(TransportClosedException.class, requestFailure);
            assertEquals(137, e.exitCode().orElseThrow());
            assertTrue(e.stderrTail().contains("starting up"), e.stderrTail());
            assertInstanceOf(TransportClosedException.class, consumerFailure);
            assertFalse(c.isOpen());
        }
    }

    @Test
    void closeEndsAGracefulChildQuickly() {
        StdioTransport t = sh("cat >/dev/null", Duration.ofSeconds(5));
        Connection c = Connection.open(t);
        long start = System.nanoTime();
        c.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "closing stdin was enough");
        assertFalse(t.processHandle().isAlive());
        assertEquals(0, t.exitCode().orElseThrow());
    }

    @Test
    void closeKillsTheWholeProcessTreeAndLeavesNoThread() throws Exception {
        // Ignores EOF on stdin and keeps two grandchildren: only the forced kill ends it.
        StdioTransport t = sh("trap '' TERM; sleep 600 & sleep 600 & echo ready; "
                + "while :; do cat >/dev/null; sleep 1; done", Duration.ofMillis(300));
        Connection c = Connection.open(t);
        await().atMost(WAIT).until(() -> t.processHandle().descendants().count() >= 2);
        List<ProcessHandle> tree = t.processHandle().descendants().toList();
        c.close();
        assertFalse(t.processHandle().isAlive(), "the child is gone");
        // Killed grandchildren are reparented and reaped by the container's init, which may lag
        // a moment under load: they must be gone promptly, not necessarily in the same instant.
        await().atMost(Duration.ofSeconds(2)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        assertFalse(t.stderrThread().isAlive(), "the stderr drain ended");
        assertEquals(List.of(), c.liveThreads());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(th -> th.getName().startsWith("codex4j-stderr-" + t.pid())));
    }

    @Test
    void closeIsIdempotentAndBoundedWhileAWriterIsStuck() throws Exception {
        // The child never reads, so a big enough write blocks on the full pipe.
        StdioTransport t = sh("exec sleep 600", Duration.ofMillis(200));
        Connection c = Connection.open(t);
        String big = "x".repeat(1 << 20);
        CompletableFuture<JsonNode> stuck = CompletableFuture.supplyAsync(() ->
                c.request("big", ProtocolCodec.objectOf(Map.of("text", big))).join(),
                r -> Thread.ofVirtual().start(r));
        await().atMost(WAIT).until(() -> c.stats().requests() == 1); // its write has begun
        long start = System.nanoTime();
        c.close();
        c.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertInstanceOf(TransportClosedException.class, failure(stuck));
        assertFalse(t.processHandle().isAlive());
        assertEquals(List.of(), c.liveThreads());
    }

    @Test
    void stderrTailIsBoundedAndStripsColours() throws Exception {
        try (StdioTransport t = sh("i=0; while [ $i -lt 200 ]; do printf '\\033[31mline %d\\033[0m\\n' $i >&2; "
                + "i=$((i+1)); done; echo done", Duration.ofSeconds(5))) {
            assertEquals("done", readLine(t));
            t.awaitExit(WAIT);
            String tail = t.stderrTail();
            List<String> lines = tail.lines().toList();
            assertEquals(StderrTail.MAX_LINES, lines.size());
            assertEquals("line 199", lines.getLast());
            assertFalse(tail.contains("\u001B"));
        }
    }

    @Test
    void missingExecutableIsATypedError(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-codex");
        assertFalse(Files.exists(missing));
        assertThrows(TransportClosedException.class, () ->
                StdioTransport.start(List.of(missing.toString()), Map.of(), null, Duration.ofSeconds(1)));
    }

    @Test
    void aMissingWorkingDirectoryIsNamedNotMistakenForAMissingBinary(@TempDir Path dir) {
        Path gone = dir.resolve("no-such-dir");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                StdioTransport.start(List.of("/bin/sh", "-c", "true"), Map.of(), gone, Duration.ofSeconds(1)));
        assertTrue(e.getMessage().contains(gone.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void anEndlessStderrLineNeitherKillsTheDrainNorCostsItsLength() throws Exception {
        // 50 MB on one stderr line, then a normal line: the tail keeps the start of the long one and the next.
        try (StdioTransport t = sh("head -c 50000000 /dev/zero | tr '\\0' 'x' >&2; echo >&2; echo 'after it' >&2; echo done",
                Duration.ofSeconds(5))) {
            assertEquals("done", readLine(t));
            await().atMost(WAIT).until(() -> t.stderrTail().contains("after it"));
            String tail = t.stderrTail();
            assertTrue(tail.contains("(50000000 bytes)"), tail.substring(0, Math.min(200, tail.length())));
            assertTrue(tail.length() < 10_000, "the tail is bounded: " + tail.length());
        }
    }

    @Test
    void aDetachedGrandchildHoldingTheOutputOpenDoesNotKeepCloseOrThreadsAlive() throws Exception {
        // The child leaves a grandchild outside its tree (reparented, in its own session) that
        // inherited stdout and stderr, and says its pid on stderr.
        StdioTransport t = sh("(setsid sh -c 'echo grandchild=$$ >&2; exec sleep 600' &); exec cat >/dev/null",
                Duration.ofSeconds(1));
        Connection c = Connection.open(t);
        await().atMost(WAIT).until(() -> t.stderrTail().contains("grandchild="));
        String tail = t.stderrTail();
        long pid = Long.parseLong(tail.substring(tail.indexOf("grandchild=") + 11).trim().split("\\s")[0]);
        ProcessHandle grandchild = ProcessHandle.of(pid).orElseThrow();
        assertFalse(t.processHandle().descendants().anyMatch(h -> h.pid() == pid), "it escaped the tree");
        long start = System.nanoTime();
        c.close();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 4_000, "close took " + ms + " ms (before the fix: the close timeout plus several seconds)");
        assertEquals(List.of(), c.liveThreads(), "the dispatcher ended");
        assertFalse(t.stderrThread().isAlive(), "the stderr drain ended");
        await().atMost(Duration.ofSeconds(2)).until(() -> !grandchild.isAlive());
    }
}
