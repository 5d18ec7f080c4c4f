package dev.codex4j.reliability;

import dev.codex4j.internal.runtime.LinkOptions;
import dev.codex4j.internal.runtime.WebSocketTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long the first WebSocket connection of a fresh JVM takes to give up on a server that never
 * answers its opening handshake: the handshake's deadline must include whatever the client starts
 * up on first use. The parent runs a silent server and starts this class's {@code main} in a new JVM
 * with the same class path, which prints the milliseconds.
 *
 * <pre>{@code
 * long ms = FirstHandshake.inFreshJvm(2_000);
 * }</pre>
 */
public final class FirstHandshake {
    private FirstHandshake() {}

    /** @return the milliseconds a fresh JVM's first connect took to fail against a silent server */
    static long inFreshJvm(long connectMs) throws Exception {
        try (HostileServer silent = HostileServer.silentTcp()) {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    FirstHandshake.class.getName(), silent.uri().toString(), Long.toString(connectMs)))
                    .redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the fresh JVM did not finish within 60 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            String last = out.lines().reduce((a, b) -> b).orElse("");
            try {
                return Long.parseLong(last);
            } catch (NumberFormatException e) {
                throw new IOException("the fresh JVM said: " + out);
            }
        }
    }

    /**
     * @param args the silent server's URI and the connect timeout in milliseconds
     */
    public static void main(String[] args) {
        URI uri = URI.create(args[0]);
        long connectMs = Long.parseLong(args[1]);
        long start = System.nanoTime();
        try (var t = WebSocketTransport.connect(uri, LinkOptions.defaults().withConnectTimeout(Duration.ofMillis(connectMs)))) {
            System.out.println("connected?!");
        } catch (RuntimeException e) {
            System.out.println((System.nanoTime() - start) / 1_000_000);
        }
    }
}
