package dev.codex4j.internal.sdk;

import dev.codex4j.ListenAddress;
import dev.codex4j.ServerAuth;

import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.internal.runtime.ListeningAppServer;
import dev.codex4j.internal.runtime.StdioTransport;
import dev.codex4j.internal.runtime.Transport;
import dev.codex4j.internal.runtime.UnixSocketTransport;
import dev.codex4j.internal.runtime.WebSocketTransport;
import dev.codex4j.protocol.AppServerLaunch;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How the builder reaches its app-server: the transport factories behind {@code CodexBuilder}'s
 * stdio default, {@code listen(...)}, {@code connect(...)} and {@code streams(...)}. Each endpoint
 * of a future fleet is one such factory.
 */
public final class Transports {
    private Transports() {}

    /** Opens the link to one app-server. */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param launch how to start a child (ignored by remote endpoints)
         * @param closeTimeout how long closing waits for a child to exit
         * @param link token, TLS, connect timeout and keep-alive of socket links
         * @return the open transport
         */
        Transport open(AppServerLaunch launch, Duration closeTimeout, LinkOptions link);
    }

    public static final Factory STDIO = (launch, closeTimeout, link) -> StdioTransport.start(launch, closeTimeout);

    public static Factory listen(ListenAddress address) {
        Objects.requireNonNull(address, "address");
        return switch (address) {
            case ListenAddress.Stdio s -> STDIO;
            case ListenAddress.WebSocket w -> (launch, closeTimeout, link) ->
                    ListeningAppServer.startWebSocket(launch, link, closeTimeout);
            case ListenAddress.UnixSocket u -> (launch, closeTimeout, link) ->
                    ListeningAppServer.startUnix(launch, u.path(), link, closeTimeout);
        };
    }

    /**
     * @throws IllegalArgumentException for another scheme, a unix URI without a path, or a token
     *     that would cross a network in clear text
     */
    public static Factory remote(URI endpoint, ServerAuth auth) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(auth, "auth");
        String scheme = String.valueOf(endpoint.getScheme()).toLowerCase(Locale.ROOT);
        Supplier<@Nullable String> bearer = bearer(auth);
        switch (scheme) {
            case "unix" -> {
                String path = endpoint.getPath();
                if (path == null || path.isEmpty()) {
                    throw new IllegalArgumentException("A unix endpoint is unix:///absolute/path/to/socket, not " + endpoint);
                }
                Path socket = Path.of(path);
                return (launch, closeTimeout, link) -> UnixSocketTransport.connect(socket, link.withBearer(bearer));
            }
            case "ws", "wss" -> {
                if (scheme.equals("ws") && !(auth instanceof ServerAuth.None) && !isLoopback(endpoint.getHost())) {
                    throw new IllegalArgumentException("Refusing to send a token in clear text to " + endpoint
                            + ": use wss:// (TLS, for example through a proxy in front of the app-server), an SSH"
                            + " tunnel to a loopback port, or a unix socket");
                }
                return (launch, closeTimeout, link) -> WebSocketTransport.connect(endpoint, link.withBearer(bearer));
            }
            default -> throw new IllegalArgumentException(
                    "An app-server endpoint is ws://host:port, wss://host:port or unix:///path, not " + endpoint);
        }
    }

    public static Supplier<@Nullable String> bearer(ServerAuth auth) {
        return switch (auth) {
            case ServerAuth.None n -> () -> null;
            case ServerAuth.CapabilityToken t -> () -> t.token().get();
            case ServerAuth.SignedBearerToken s -> () -> s.mint(Instant.now());
        };
    }

    public static boolean isLoopback(@Nullable String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false; // a name: resolving it here would trust DNS with the decision
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
