package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.ListenAddress;
import dev.codex4j.RunResult;
import dev.codex4j.Supervision;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import dev.codex4j.ServerAuth;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.internal.runtime.Transport;
import dev.codex4j.internal.runtime.UnixSocketTransport;
import dev.codex4j.internal.runtime.WebSocketTransport;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ServerLostException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Hostile and broken peers on the socket links, one check per defect of issue 21, each of which
 * failed before that fixes:
 * <ul>
 *   <li><b>write failure</b>: a link whose output is closed while its input stays open; under
 *       supervision the failed write must end the connection and fail with
 *       {@link ServerLostException}, not a plain {@code TransportClosedException} on a
 *       connection that still looks open;</li>
 *   <li><b>ping flood</b>: a peer that sends pings as fast as it can and reads nothing; the heap
 *       after the flood must stay within {@value #FLAT_HEAP_MB} MB of the heap before it (a unix
 *       link queued one pong task per ping);</li>
 *   <li><b>secrets</b>: a refused handshake whose body echoes the request (the bearer token, a
 *       minted JWT) must not quote it in any message, nor in any log line at any level;</li>
 *   <li><b>wire log</b>: the TRACE wire log masks common secret names ({@code x-api-key},
 *       {@code api-key}, {@code bearer}, {@code credentials}, {@code privateKey},
 *       {@code passphrase}) and any value equal to the token the link sent;</li>
 *   <li><b>handshake deadline</b>: the first WebSocket connection of a fresh JVM to a server that
 *       never answers gives up within the connect timeout plus {@value #DEADLINE_SLACK_MS} ms.</li>
 * </ul>
 *
 * <pre>{@code
 * HostilePeerCampaign.run(Size.SHORT).print(System.out);
 * }</pre>
 */
public final class HostilePeerCampaign {
    static final int FLAT_HEAP_MB = 32;
    static final long DEADLINE_SLACK_MS = 400;
    private static final String TOKEN = "tok-" + "s3cr3t-capability-0123456789abcdef";
    private static final String API_KEY = "sk-test-" + "9f8e7d6c5b4a39281706";

    private HostilePeerCampaign() {}

    /** @return the campaign's report in the given form */
    public static Report run(Size size) {
        Report report = new Report("hostile", size);
        long pings = size == Size.FULL ? 8_000_000 : 1_000_000;
        Path dir;
        try {
            dir = Files.createTempDirectory("codex4j-hostile-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String kind : List.of("unix", "ws")) {
            String p = kind + ": ";
            try {
                long growth = pingFlood(kind, dir.resolve("flood.sock"), pings);
                report.figure(p + "ping flood: pings", String.format(Locale.ROOT, "%,d", pings));
                report.figure(p + "ping flood: heap growth", growth / (1 << 20) + " MB");
                report.failIf(growth > (long) FLAT_HEAP_MB << 20, p + "the heap grew by " + growth / (1 << 20)
                        + " MB during a flood of " + pings + " pings (bound " + FLAT_HEAP_MB + " MB)");
            } catch (Exception e) {
                report.failIf(true, p + "ping flood failed: " + e);
            }
            try {
                List<String> leaks = refusedHandshakeLeaks(kind, dir.resolve("refuse.sock"));
                report.figure(p + "refused handshake: secrets quoted", leaks.size());
                report.failIf(!leaks.isEmpty(), p + "a refused handshake quoted a secret: " + leaks);
            } catch (Exception e) {
                report.failIf(true, p + "refused handshake check failed: " + e);
            }
            try {
                List<String> leaks = wireLogLeaks(kind, dir.resolve("wire.sock"));
                report.figure(p + "wire log: secrets in clear", leaks.size());
                report.failIf(!leaks.isEmpty(), p + "the TRACE wire log shows secrets: " + leaks);
            } catch (Exception e) {
                report.failIf(true, p + "wire log check failed: " + e);
            }
            try {
                Files.deleteIfExists(dir.resolve("flood.sock"));
                Files.deleteIfExists(dir.resolve("refuse.sock"));
                Files.deleteIfExists(dir.resolve("wire.sock"));
            } catch (IOException e) {
                // best effort
            }
        }
        try {
            String outcome = failedWriteOutcome();
            report.figure("closed output: outcome", outcome);
            report.failIf(!outcome.startsWith("ServerLostException"), "a write that found the output closed failed with "
                    + outcome + " (expected ServerLostException on a connection that ended)");
        } catch (Exception e) {
            report.failIf(true, "closed output check failed: " + e);
        }
        for (String kind : List.of("ws", "unix")) {
            try {
                String outcome = orphanedServer(kind);
                report.figure(kind + ": child killed, its server lives on: turn in flight", outcome);
                report.failIf(!outcome.startsWith("ServerLostException") || millis(outcome) > 1_000
                        || outcome.contains("outlived"), kind
                        + ": the link outlived its child: the turn in flight " + outcome
                        + " (expected ServerLostException within 1 s, and no orphan after close)");
            } catch (Exception e) {
                report.failIf(true, kind + ": orphaned server check failed: " + e);
            }
        }
        try {
            long connectMs = 2_000;
            long took = FirstHandshake.inFreshJvm(connectMs);
            report.figure("first ws handshake of a JVM against a silent server", took + " ms (timeout " + connectMs + " ms)");
            report.failIf(took > connectMs + DEADLINE_SLACK_MS, "the first ws handshake of a JVM gave up after " + took
                    + " ms, over its " + connectMs + " ms timeout");
        } catch (Exception e) {
            report.failIf(true, "handshake deadline check failed: " + e);
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // best effort
        }
        return report.done();
    }

    private static HostileServer server(String kind, Path socket, HostileServer.Behaviour b) throws IOException {
        return kind.equals("unix") ? HostileServer.unix(socket, b) : HostileServer.tcp(b);
    }

    private static Transport connect(String kind, HostileServer s, Path socket, LinkOptions link) throws IOException {
        return kind.equals("unix") ? UnixSocketTransport.connect(socket, link) : WebSocketTransport.connect(s.uri(), link);
    }

    private static long millis(String outcome) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("after (\\d+) ms").matcher(outcome);
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    // ---------------------------------------------------------------- the child dies, its socket lives on

    /**
     * A supervised client whose listening child is a shell that runs the real server in the
     * background and waits: killing the shell leaves the server (an orphan now) holding the socket,
     * still streaming the turn. The link belongs to the child, so the child's exit must end it:
     * the turn in flight fails with {@link ServerLostException} at once, not when the orphan ends.
     *
     * @return how the turn in flight ended, and how long after the kill
     */
    static String orphanedServer(String kind) throws Exception {
        Path wrapper = Files.createTempFile("codex4j-wrapper-", ".sh");
        List<ProcessHandle> orphans = new ArrayList<>();
        try (OfflineCodex offline = OfflineCodex.start()) {
            // A turn that streams for about 10 s.
            offline.server().defaultReply(r -> ModelReply.longMessage(5_000).eventDelay(Duration.ofMillis(2)));
            Path real = offline.launch().resolveExecutable();
            Files.writeString(wrapper, "#!/bin/sh\n\"" + real + "\" \"$@\" &\nwait\n");
            wrapper.toFile().setExecutable(true);
            ListenAddress address = kind.equals("ws") ? ListenAddress.webSocket() : ListenAddress.unixSocket();
            Supervision supervision = Supervision.builder().initialBackoff(Duration.ofMillis(50))
                    .maxBackoff(Duration.ofMillis(200)).maxRestarts(5, Duration.ofHours(1)).build();
            try (Codex codex = Codex.builder().launch(offline.launch().withExecutable(wrapper)).listen(address)
                    .supervise(supervision).build()) {
                int before = offline.server().requestCount();
                CompletableFuture<RunResult> run = codex.startThread().runAsync("q");
                if (!Probe.await(() -> offline.server().requestCount() > before, 30_000)) {
                    return "the turn never reached the model";
                }
                KillCampaign.sleep(200);
                ProcessHandle shell = ProcessHandle.current().children()
                        .filter(h -> h.info().commandLine().orElse("").contains(wrapper.getFileName().toString())
                                || h.info().arguments().map(a -> String.join(" ", a)).orElse("")
                                        .contains(wrapper.getFileName().toString()))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no wrapper child"));
                orphans.addAll(shell.descendants().toList());
                long killAt = System.nanoTime();
                shell.destroyForcibly();
                String outcome;
                try {
                    run.get(30, TimeUnit.SECONDS);
                    outcome = "completed";
                } catch (java.util.concurrent.ExecutionException e) {
                    outcome = e.getCause().getClass().getSimpleName();
                } catch (java.util.concurrent.TimeoutException e) {
                    outcome = "hung";
                }
                outcome += " after " + (System.nanoTime() - killAt) / 1_000_000 + " ms";
                codex.close();
                // Closing the client ends what the child left behind too (it holds the child's stderr).
                boolean orphansEnded = Probe.await(() -> orphans.stream().noneMatch(ProcessHandle::isAlive), 5_000);
                return outcome + (orphansEnded ? "" : "; its orphaned server outlived close()");
            }
        } finally {
            orphans.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(wrapper);
        }
    }

    // ---------------------------------------------------------------- ping flood

    /** @return how much the heap grew (after GC) while a peer sent {@code pings} pings and read nothing */
    static long pingFlood(String kind, Path socket, long pings) throws Exception {
        String marker = "{\"method\":\"flood/done\"}";
        HostileServer.Behaviour flood = (ch, head) -> {
            HostileServer.accept(ch, head);
            byte[] batch = new byte[2 * 65_536];
            for (int i = 0; i < batch.length; i += 2) {
                batch[i] = (byte) 0x89; // FIN + ping, empty
            }
            long left = pings;
            while (left > 0) {
                int n = (int) Math.min(left, batch.length / 2);
                HostileServer.write(ch, java.util.Arrays.copyOf(batch, 2 * n));
                left -= n;
            }
            HostileServer.write(ch, HostileServer.text(marker));
            Thread.sleep(60_000); // reads nothing: every pong stays with the client
        };
        long before = Probe.heapAfterGc();
        try (HostileServer s = server(kind, socket, flood);
                Transport t = connect(kind, s, socket, LinkOptions.defaults().withKeepAlive(Duration.ZERO, Duration.ZERO))) {
            // Pings carry no bytes for the reader: the marker's line comes once the whole flood was read.
            byte[] buf = new byte[8192];
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
                int n = t.read(buf, 0, buf.length);
                if (n < 0) {
                    break; // the link broke: that is a typed end too
                }
                for (int i = 0; i < n; i++) {
                    seen |= buf[i] == '\n';
                }
            }
            return Math.max(0, Probe.heapAfterGc() - before);
        }
    }

    // ---------------------------------------------------------------- secrets in refusals

    /** @return the secrets found in the exception's messages or in any log line, for both kinds of token */
    static List<String> refusedHandshakeLeaks(String kind, Path socket) throws Exception {
        List<String> leaks = new ArrayList<>();
        try (LogTap log = new LogTap("dev.codex4j")) {
            for (boolean jwt : List.of(false, true)) {
                Files.deleteIfExists(socket);
                try (HostileServer s = server(kind, socket, (ch, head) -> HostileServer.refuseEchoing(ch, head, 401))) {
                    URI uri = kind.equals("unix") ? URI.create("unix://" + socket) : s.uri();
                    ServerAuth auth = jwt
                            ? ServerAuth.signedBearerToken().secret(() -> "a-shared-secret-of-32-bytes-or-more!".getBytes(
                                    java.nio.charset.StandardCharsets.UTF_8)).issuer("codex4j-test").audience("codex").build()
                            : ServerAuth.capabilityToken(() -> TOKEN);
                    try (Codex c = Codex.builder().connect(uri, auth).handshakeTimeout(Duration.ofSeconds(5)).build()) {
                        leaks.add("the refusing server was accepted");
                    } catch (RuntimeException e) {
                        for (Throwable x = e; x != null; x = x.getCause()) {
                            String text = x.getMessage() + " | " + x;
                            if (text.contains(TOKEN) || text.contains("eyJ")) {
                                leaks.add(x.getClass().getSimpleName() + ": " + text);
                            }
                        }
                    }
                }
            }
            for (String line : log.lines()) {
                if (line.contains(TOKEN) || line.contains("eyJ")) {
                    leaks.add("log: " + line);
                }
            }
        }
        return leaks;
    }

    // ---------------------------------------------------------------- wire log

    /** @return the secret values the TRACE wire log showed for one request */
    static List<String> wireLogLeaks(String kind, Path socket) throws Exception {
        List<String> secrets = List.of(API_KEY + "-x", API_KEY + "-a", API_KEY + "-b", API_KEY + "-c",
                API_KEY + "-p", API_KEY + "-w", TOKEN);
        List<String> leaks = new ArrayList<>();
        Files.deleteIfExists(socket);
        try (LogTap log = new LogTap("dev.codex4j.wire");
                HostileServer s = server(kind, socket, (ch, head) -> {
                    HostileServer.accept(ch, head);
                    HostileServer.drain(ch);
                });
                Connection c = Connection.open(connect(kind, s, socket, LinkOptions.defaults().withBearer(() -> TOKEN)))) {
            var params = ProtocolCodec.emptyObject();
            params.put("x-api-key", secrets.get(0));
            params.put("api-key", secrets.get(1));
            params.put("bearer", secrets.get(2));
            params.put("credentials", secrets.get(3));
            params.put("privateKey", secrets.get(4));
            params.put("passphrase", secrets.get(5));
            params.put("note", secrets.get(6)); // an innocent name, a value equal to the link's token
            c.request("hostile/echo", params, Duration.ofMillis(200));
            Probe.await(() -> log.lines().stream().anyMatch(l -> l.contains("hostile/echo")), 5_000);
            for (String line : log.lines()) {
                for (String secret : secrets) {
                    if (line.contains(secret)) {
                        leaks.add(secret);
                    }
                }
            }
            if (log.lines().stream().noneMatch(l -> l.contains("hostile/echo"))) {
                leaks.add("(the wire log logged nothing)");
            }
        }
        return leaks;
    }

    // ---------------------------------------------------------------- a write that finds the output closed

    /** @return the type, retry-safety and the connection's state after a request on a link whose output is closed */
    static String failedWriteOutcome() throws Exception {
        PipedOutputStream never = new PipedOutputStream();
        InputStream in = new PipedInputStream(never); // stays open and silent: the reader sees nothing
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Output closed");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("Output closed");
            }
        };
        ConnectionOptions options = ConnectionOptions.builder().serverLostOnFailure(true).build();
        try (Connection c = Connection.open(new StreamTransport(in, closed, "half-closed peer"), options)) {
            CompletableFuture<?> f = c.request("thread/start", ProtocolCodec.emptyObject(), Duration.ofSeconds(5));
            try {
                f.get(10, TimeUnit.SECONDS);
                return "no failure";
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable x = e.getCause();
                String what = x.getClass().getSimpleName()
                        + (x instanceof ServerLostException l ? " (retrySafe " + l.retrySafe() + ")" : "");
                // The connection must have ended with the link, not look open.
                boolean ended = Probe.await(() -> !c.isOpen(), 1_000);
                return what + (ended ? ", connection ended" : ", connection still open");
            } catch (CompletionException e) {
                return e.getCause().getClass().getSimpleName();
            } finally {
                never.close();
            }
        }
    }

    // ---------------------------------------------------------------- log capture

    /** Captures every record of a logger and its children, at every level, while open. */
    static final class LogTap extends Handler implements AutoCloseable {
        private final Logger logger;
        private final Level level;
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        LogTap(String name) {
            this.logger = Logger.getLogger(name);
            this.level = logger.getLevel();
            logger.setLevel(Level.ALL);
            setLevel(Level.ALL);
            logger.addHandler(this);
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void publish(LogRecord r) {
            StringBuilder b = new StringBuilder(String.valueOf(r.getMessage()));
            if (r.getParameters() != null) {
                for (Object o : r.getParameters()) {
                    b.append(' ').append(o);
                }
            }
            for (Throwable x = r.getThrown(); x != null; x = x.getCause()) {
                b.append(" | ").append(x);
            }
            lines.add(b.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(level);
        }
    }

}
