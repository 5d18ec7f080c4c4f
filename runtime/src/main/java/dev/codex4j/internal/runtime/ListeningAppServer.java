package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.AppServerLaunch;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code codex app-server} started as a child that listens on a socket instead of stdio: a
 * loopback WebSocket port ({@code --listen ws://127.0.0.1:0}, the port the server picked read from
 * its banner, a fresh capability token required: {@code --ws-auth capability-token
 * --ws-token-sha256}, so only the token's digest is on the command line) or a unix socket
 * ({@code --listen unix://PATH}, in a private temporary directory unless a path is given). It
 * returns a transport to it that owns the child: closing the transport closes the link, then ends
 * the child (SIGTERM, which the server obeys in about 0.1 s; after the close timeout it and its
 * descendants are killed) and removes the socket and the directory it made.
 *
 * <p>The child's stderr is drained by a platform thread ({@code codex4j-stderr-<pid>}) into a
 * bounded tail, as for stdio, so a failure report carries the server's last words and exit code.
 *
 * <pre>{@code
 * Transport t = ListeningAppServer.startWebSocket(launch, LinkOptions.defaults(), Duration.ofSeconds(5));
 * try (Connection c = Connection.open(t)) { ... }
 * }</pre>
 */
public final class ListeningAppServer {
    private static final System.Logger LOG = System.getLogger(ListeningAppServer.class.getName());
    private static final Pattern BANNER = Pattern.compile("listening on: (ws://[^\\s]+)");
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(20);

    private final ChildProcess child;
    private final Process process;
    private final CompletableFuture<URI> banner;
    private final Duration closeTimeout;
    private final ReentrantLock closeLock = new ReentrantLock();
    /** What to delete at close: the socket's path and the private directory, or nothing. */
    private final List<Path> leftovers = new ArrayList<>();
    private boolean closed;

    private ListeningAppServer(ChildProcess child, CompletableFuture<URI> banner, Duration closeTimeout) {
        this.child = child;
        this.process = child.process();
        this.banner = banner;
        this.closeTimeout = closeTimeout;
    }

    /**
     * Starts the app-server on a loopback WebSocket port and connects to it.
     *
     * @param launch binary, environment, {@code -c} overrides and working directory
     * @param link how to connect (its token is replaced by the fresh one the server requires)
     * @param closeTimeout how long closing waits for the child to exit before killing it
     * @return a transport that owns the child
     * @throws TransportClosedException when the child cannot start, exits, or announces no port in time
     */
    public static Transport startWebSocket(AppServerLaunch launch, LinkOptions link, Duration closeTimeout) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ListeningAppServer server = start(launch, List.of("--listen", "ws://127.0.0.1:0", "--ws-auth", "capability-token",
                "--ws-token-sha256", sha256Hex(token)), closeTimeout);
        try {
            URI uri = server.awaitBanner(link.connectTimeout());
            WebSocketTransport t = WebSocketTransport.connect(uri, link.withBearer(() -> token));
            return new Owning(t, server, uri.toString());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Starts the app-server on a unix socket and connects to it.
     *
     * @param launch binary, environment, {@code -c} overrides and working directory
     * @param socket where the socket goes, or null for a private temporary directory
     * @param link how to connect
     * @param closeTimeout how long closing waits for the child to exit before killing it
     * @return a transport that owns the child
     * @throws TransportClosedException when the child cannot start, exits, or does not listen in time
     */
    public static Transport startUnix(AppServerLaunch launch, @Nullable Path socket, LinkOptions link,
            Duration closeTimeout) {
        Path dir = null;
        Path path;
        try {
            if (socket == null) {
                dir = Files.createTempDirectory("codex4j-"); // owner-only on POSIX
                path = dir.resolve("app-server.sock");
            } else {
                path = socket.toAbsolutePath();
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("Something is at " + path + " already; the app-server needs a free path"
                            + " for its socket (use Codex.builder().connect(...) to reach a server that runs)");
                }
            }
        } catch (IOException e) {
            throw new TransportClosedException("Could not make a directory for the app-server's socket: " + e, null, "", e);
        }
        ListeningAppServer server = start(launch, List.of("--listen", "unix://" + path), closeTimeout);
        server.leftovers.add(path);
        if (dir != null) {
            server.leftovers.add(dir);
        }
        try {
            WebSocketTransport t = server.awaitUnix(path, link);
            return new Owning(t, server, "unix://" + path);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    static ListeningAppServer start(AppServerLaunch launch, List<String> listen, Duration closeTimeout) {
        ChildProcess.checkDirectory(launch.workingDirectory());
        Path binary = launch.resolveExecutable();
        List<String> command = new ArrayList<>(launch.command(binary));
        command.addAll(listen);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(launch.environment());
        if (launch.workingDirectory() != null) {
            pb.directory(launch.workingDirectory().toFile());
        }
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        CompletableFuture<URI> banner = new CompletableFuture<>();
        ChildProcess child = ChildProcess.start(pb, binary.toString(), line -> {
            if (!banner.isDone()) {
                Matcher m = BANNER.matcher(line);
                if (m.find()) {
                    banner.complete(URI.create(m.group(1)));
                }
            }
        }, () -> banner.completeExceptionally(new IOException("the app-server's stderr ended")));
        ChildProcess.closeQuietly(child.process().getOutputStream()); // it reads no stdin when it listens
        LOG.log(Level.DEBUG, () -> "started app-server pid " + child.pid() + " listening: " + listen.get(1));
        return new ListeningAppServer(child, banner, closeTimeout);
    }

    URI awaitBanner(Duration max) {
        try {
            return banner.get(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw failedToListen("announced no WebSocket port (\"listening on: ws://...\" on stderr) within "
                    + max.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failedToListen("was interrupted while waiting for the app-server to listen", e);
        }
    }

    private WebSocketTransport awaitUnix(Path path, LinkOptions link) {
        long deadline = System.nanoTime() + link.connectTimeout().toNanos();
        for (;;) {
            if (Files.exists(path)) {
                try {
                    return UnixSocketTransport.connect(path, link);
                } catch (TransportClosedException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw failedToListen("could not be reached at unix://" + path + ": " + e.getMessage(), e);
                    }
                }
            } else if (!process.isAlive() || System.nanoTime() > deadline) {
                throw failedToListen("made no socket at " + path + " within " + link.connectTimeout().toMillis() + " ms", null);
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failedToListen("was interrupted while waiting for the app-server to listen", e);
            }
        }
    }

    private TransportClosedException failedToListen(String what, @Nullable Throwable cause) {
        OptionalInt exit = awaitExit(Duration.ofMillis(process.isAlive() ? 0 : 500));
        return new TransportClosedException("The app-server pid " + process.pid() + " " + what,
                exit.isPresent() ? exit.getAsInt() : null, child.stderrTail(), cause);
    }

    private OptionalInt exitCode() {
        return child.exitCode();
    }

    private OptionalInt awaitExit(Duration max) {
        return child.awaitExit(max);
    }

    /** Ends the child (SIGTERM, then kill after the close timeout) and deletes the socket. Idempotent, bounded. */
    void close() {
        closeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            child.end(closeTimeout, child::terminate);
            if (!child.awaitStderrEnd(Duration.ofMillis(200))) {
                // A descendant that escaped the tree (an orphan now) holds stderr, and likely the socket.
                child.killPipeHolders();
                if (!child.awaitStderrEnd(ChildProcess.KILL_WAIT)) {
                    child.closeStderr();
                    child.awaitStderrEnd(Duration.ofMillis(500));
                }
            }
        } finally {
            for (Path p : leftovers) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "could not delete " + p + ": " + e);
                }
            }
            closeLock.unlock();
        }
    }

    /** @return the child process */
    ProcessHandle processHandle() {
        return process.toHandle();
    }

    /** The drain thread, for tests that check it ends. */
    Thread stderrThread() {
        return child.stderrThread();
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The link to the child, owning the child: the link's bytes, the child's exit code and stderr. */
    static final class Owning implements Transport {
        private final WebSocketTransport link;
        private final ListeningAppServer server;
        private final String where;

        /** Watches the child: when it exits, the link ends at once (its socket may outlive it in a stray descendant). */
        Owning(WebSocketTransport link, ListeningAppServer server, String where) {
            this.link = link;
            this.server = server;
            this.where = where;
            server.child.onExit(() -> link.breakLink("The app-server pid " + server.process.pid() + " exited"
                    + server.child.exitCode().stream().mapToObj(c -> " with code " + c).findFirst().orElse("")));
        }

        /** @return the child process, for supervision and tests */
        ProcessHandle processHandle() {
            return server.process.toHandle();
        }

        ListeningAppServer server() {
            return server;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return link.read(buffer, offset, length);
        }

        @Override
        public int available() throws IOException {
            return link.available();
        }

        @Override
        public void writeLine(String line) throws IOException {
            link.writeLine(line);
        }

        @Override
        public OptionalInt exitCode() {
            return server.exitCode();
        }

        @Override
        public OptionalInt awaitExit(Duration max) {
            return server.awaitExit(max);
        }

        @Override
        public String stderrTail() {
            return server.child.stderrTail();
        }

        @Override
        public Duration heartbeatPeriod() {
            return link.heartbeatPeriod();
        }

        @Override
        public void heartbeat() {
            link.heartbeat();
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String describe() {
            return "app-server pid " + server.process.pid() + " at " + where;
        }

        @Override
        public void close() {
            link.close();
            server.close();
        }
    }
}
