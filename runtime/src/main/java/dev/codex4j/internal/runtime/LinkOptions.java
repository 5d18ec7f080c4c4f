package dev.codex4j.internal.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How a socket link to an app-server (WebSocket over TCP, TLS or a unix socket) is opened and kept
 * alive. An immutable value; {@link #defaults()} and the {@code with...} copies make one.
 *
 * <pre>{@code
 * LinkOptions o = LinkOptions.defaults()
 *         .withBearer(() -> Files.readString(tokenFile).strip())
 *         .withKeepAlive(Duration.ofSeconds(15), Duration.ofSeconds(10));
 * Transport t = WebSocketTransport.connect(URI.create("ws://127.0.0.1:4500"), o);
 * }</pre>
 *
 * @param bearer called once per connection for the {@code Authorization: Bearer} token (a capability
 *     token, or a signed JWT minted for this connection); returns null to send none
 * @param sslContext the TLS settings for {@code wss://}, or null for the JDK's default
 * @param connectTimeout the longest wait for the connection and its opening handshake
 * @param pingInterval silence after which a ping is sent (zero: no keep-alive)
 * @param pingTimeout how long after that the peer may stay silent before the link counts as dead
 */
public record LinkOptions(Supplier<@Nullable String> bearer, @Nullable SSLContext sslContext, Duration connectTimeout,
        Duration pingInterval, Duration pingTimeout) {

    /** Checks the durations. */
    public LinkOptions {
        Objects.requireNonNull(bearer, "bearer");
        positive(connectTimeout, "connectTimeout");
        if (pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must not be negative: " + pingInterval);
        }
        if (!pingInterval.isZero()) {
            positive(pingTimeout, "pingTimeout");
        }
    }

    /** @return no token, the default TLS context, 20 s to connect, a ping after 15 s of silence, dead 10 s later */
    public static LinkOptions defaults() {
        return new LinkOptions(() -> null, null, Duration.ofSeconds(20), Duration.ofSeconds(15), Duration.ofSeconds(10));
    }

    /** @return a copy that sends the supplier's token */
    public LinkOptions withBearer(Supplier<@Nullable String> token) {
        return new LinkOptions(token, sslContext, connectTimeout, pingInterval, pingTimeout);
    }

    /** @return a copy with this TLS context (null: the JDK's default) */
    public LinkOptions withSslContext(@Nullable SSLContext context) {
        return new LinkOptions(bearer, context, connectTimeout, pingInterval, pingTimeout);
    }

    /** @return a copy with this connect timeout */
    public LinkOptions withConnectTimeout(Duration timeout) {
        return new LinkOptions(bearer, sslContext, timeout, pingInterval, pingTimeout);
    }

    /** @return a copy with this keep-alive (a zero interval turns it off) */
    public LinkOptions withKeepAlive(Duration interval, Duration timeout) {
        return new LinkOptions(bearer, sslContext, connectTimeout, interval, timeout);
    }

    KeepAlive keepAlive() {
        return new KeepAlive(pingInterval, pingTimeout);
    }

    private static void positive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
