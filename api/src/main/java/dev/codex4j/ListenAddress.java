package dev.codex4j;

import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where an app-server that the client starts itself listens ({@link CodexBuilder#listen}): on its
 * stdio (the default), on a loopback WebSocket port, or on a unix socket. The client owns that
 * child either way: closing the client ends it.
 *
 * <ul>
 *   <li>{@link #stdio()}: {@code codex app-server} on pipes; nothing is reachable from outside.
 *   <li>{@link #webSocket()}: {@code --listen ws://127.0.0.1:0} with a fresh capability token only
 *       this client knows (the server gets its SHA-256); the port is the one the server picked.
 *   <li>{@link #unixSocket()}: {@code --listen unix://PATH} in a private directory (mode 700),
 *       removed at close; {@link #unixSocket(Path)} puts it at a path of your choice.
 * </ul>
 *
 * <pre>{@code
 * try (Codex codex = Codex.builder().listen(ListenAddress.unixSocket()).build()) {
 *     codex.startThread().run("hello");
 * }
 * }</pre>
 */
public sealed interface ListenAddress permits ListenAddress.Stdio, ListenAddress.WebSocket, ListenAddress.UnixSocket {

    /** @return the child's stdin and stdout (the default) */
    static ListenAddress stdio() {
        return new Stdio();
    }

    /** @return a loopback WebSocket port the server picks, guarded by a fresh capability token */
    static ListenAddress webSocket() {
        return new WebSocket();
    }

    /** @return a unix socket in a private temporary directory */
    static ListenAddress unixSocket() {
        return new UnixSocket(null);
    }

    /**
     * @param path where the socket goes; nothing may be there yet
     * @return a unix socket at that path
     */
    static ListenAddress unixSocket(Path path) {
        return new UnixSocket(Objects.requireNonNull(path, "path"));
    }

    /** The child's stdio. */
    record Stdio() implements ListenAddress {}

    /** A loopback WebSocket port, with a capability token. */
    record WebSocket() implements ListenAddress {}

    /**
     * A unix socket.
     *
     * @param path where, or null for a private temporary directory
     */
    record UnixSocket(@Nullable Path path) implements ListenAddress {}
}
