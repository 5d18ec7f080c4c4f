package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.errors.AuthenticationException;
import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.TransportClosedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of the RFC 6455 opening handshake (an HTTP/1.1 upgrade), the same over a unix
 * socket, TCP and TLS: it sends the request, reads the response's head (at most
 * {@value #MAX_RESPONSE_HEAD} bytes), checks the accept key, and returns the bytes that came after
 * the head (the first frames). A refusal becomes the typed error a user can act on, with whatever
 * the SDK sent (the token) removed from the server's text it quotes. The caller bounds it in time
 * (it closes the socket at the deadline).
 *
 * <pre>{@code
 * byte[] leftover = WebSocketHandshake.open(in, out, "localhost", "/", token, "unix:///run/codex.sock");
 * }</pre>
 */
final class WebSocketHandshake {
    static final int MAX_RESPONSE_HEAD = 16 * 1024;
    private static final int MAX_BODY = 2048;

    private WebSocketHandshake() {}

    /**
     * @param host the {@code Host} header's value
     * @param path the request's path ({@code /} when empty)
     * @param token the bearer token to send, or null
     * @param where the endpoint, for messages
     * @return the bytes that came after the response's head
     * @throws AuthenticationException when the server refuses with 401 or 403
     * @throws TransportClosedException when it refuses otherwise
     * @throws IOException when the link fails or the answer is not a WebSocket upgrade
     */
    static byte[] open(InputStream in, OutputStream out, String host, String path, @Nullable String token, String where)
            throws IOException {
        Secrets.remember(token);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET " + (path.isEmpty() ? "/" : path) + " HTTP/1.1\r\nHost: " + host
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        out.write(request.getBytes(UTF_8));
        out.flush();
        byte[] head = new byte[MAX_RESPONSE_HEAD];
        int filled = 0;
        int end;
        while ((end = headEnd(head, filled)) < 0) {
            if (filled == head.length) {
                throw new IOException("the response to the WebSocket handshake has no end of its head within "
                        + MAX_RESPONSE_HEAD + " bytes");
            }
            int r = in.read(head, filled, head.length - filled);
            if (r < 0) {
                throw new IOException("the app-server closed the socket during the WebSocket handshake");
            }
            filled += r;
        }
        String[] lines = new String(head, 0, end, ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        int status = status(lines[0]);
        byte[] leftover = Arrays.copyOfRange(head, end + 4, filled);
        if (status != 101) {
            throw refused(where, status, body(in, leftover, headers), token != null, null);
        }
        if (!"websocket".equalsIgnoreCase(headers.getOrDefault("upgrade", ""))
                || !WebSocketFraming.acceptFor(key).equals(headers.get("sec-websocket-accept"))) {
            throw new IOException(Secrets.scrub("the app-server's answer is not a WebSocket upgrade: " + lines[0] + " "
                    + headers));
        }
        return leftover;
    }

    private static int headEnd(byte[] b, int filled) {
        for (int i = 3; i < filled; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i - 3;
            }
        }
        return -1;
    }

    private static int status(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        try {
            return Integer.parseInt(parts[1]);
        } catch (RuntimeException e) {
            throw new IOException(Secrets.scrub("not an HTTP response: " + statusLine));
        }
    }

    /** Up to 2 KiB of a refusal's body, for the error message; best effort (the deadline bounds it). */
    private static String body(InputStream in, byte[] leftover, Map<String, String> headers) {
        int length;
        try {
            length = Math.min(MAX_BODY, Integer.parseInt(headers.getOrDefault("content-length", "0")));
        } catch (NumberFormatException e) {
            length = 0;
        }
        byte[] body = new byte[Math.max(0, length)];
        int n = Math.min(body.length, leftover.length);
        System.arraycopy(leftover, 0, body, 0, n);
        try {
            while (n < body.length) {
                int r = in.read(body, n, body.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            // what came is enough for the message
        }
        return new String(body, 0, n, UTF_8);
    }

    /**
     * The error for an opening handshake the server answered with {@code status} instead of 101. The
     * server's text is quoted (at most 200 characters) with every secret the SDK sent masked.
     */
    static CodexException refused(Object where, int status, String body, boolean sentToken, @Nullable Throwable cause) {
        String said = Secrets.scrub(body.strip());
        if (said.length() > 200) {
            said = Secrets.scrub(said.substring(0, 200)) + "...";
        }
        String detail = "HTTP " + status + (said.isEmpty() ? "" : " \"" + said + "\"");
        if (status == 401 || status == 403) {
            String hint = sentToken
                    ? "the bearer token was refused: check the capability token, or the shared secret, issuer,"
                            + " audience and clock of a signed token, against the server's --ws-auth flags"
                    : "no token was sent, and this server requires one (--ws-auth): give the client its token";
            return cause == null
                    ? new AuthenticationException("The app-server at " + where + " refused the connection (" + detail
                            + "): " + hint)
                    : new AuthenticationException("The app-server at " + where + " refused the connection (" + detail
                            + "): " + hint, cause);
        }
        return new TransportClosedException("The app-server at " + where + " refused the WebSocket handshake ("
                + detail + ")", null, "", cause);
    }
}
