package dev.codex4j.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.protocol.RequestId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * A minimal in-process app-server for benchmarks of the public API: it answers
 * {@code initialize}, {@code thread/start} and {@code turn/start}, and after each
 * {@code turn/start} reply writes one pre-encoded turn (from {@link RecordedTurns}) with a fresh
 * turn id, as fast as the pipe takes it. Every other request gets an empty result. The bytes of a
 * turn are built once; per turn only the turn id is patched in.
 *
 * <pre>{@code
 * try (ReplayingPeer peer = ReplayingPeer.start(1_000, 20);
 *      Codex codex = Codex.builder().streams(peer.fromServer(), peer.toServer()).build()) {
 *     RunResult r = codex.startThread().run("go");
 * }
 * }</pre>
 */
public final class ReplayingPeer implements AutoCloseable {
    private static final String THREAD_ID = RecordedTurns.threadId(7);
    private static final String TEMPLATE_TURN = RecordedTurns.turnId(0xffffffffffffL);

    private final Pipe toClient;
    private final Pipe toPeer;
    private final byte[] template;
    private final int[] turnIdOffsets;
    private final OutputStream out;
    private final Thread thread;
    private long turns;

    private ReplayingPeer(int deltas, int items) throws IOException {
        toClient = Pipe.open();
        toPeer = Pipe.open();
        template = RecordedTurns.jsonl(RecordedTurns.turn(THREAD_ID, TEMPLATE_TURN, deltas, items, 1));
        turnIdOffsets = offsets(template, TEMPLATE_TURN.getBytes(UTF_8));
        out = Channels.newOutputStream(toClient.sink());
        thread = Thread.ofPlatform().daemon().name("replaying-peer").start(this::serve);
    }

    /**
     * @param deltas deltas per turn
     * @param items completed items per turn
     * @return a running peer
     */
    public static ReplayingPeer start(int deltas, int items) {
        try {
            return new ReplayingPeer(deltas, items);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** @return notifications per turn */
    public int linesPerTurn() {
        int n = 0;
        for (byte b : template) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    /** @return what the client reads */
    public InputStream fromServer() {
        return Channels.newInputStream(toClient.source());
    }

    /** @return where the client writes */
    public OutputStream toServer() {
        return Channels.newOutputStream(toPeer.sink());
    }

    private void serve() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(toPeer.source()), UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!(ProtocolCodec.decode(line) instanceof JsonRpcMessage.Request request)) {
                    continue;
                }
                ObjectNode result = ProtocolCodec.mapper().createObjectNode();
                byte[] turn = null;
                switch (request.method()) {
                    case "initialize" -> {
                        result.put("userAgent", "codex4j-bench/0.169.0");
                        result.put("codexHome", "/tmp/codex-home");
                        result.put("platformFamily", "unix");
                        result.put("platformOs", "linux");
                    }
                    case "thread/start" -> result = AppServerMessages.threadStartResult(THREAD_ID, "/tmp/work");
                    case "turn/start" -> {
                        String turnId = RecordedTurns.turnId(turns++);
                        result = AppServerMessages.turnStartResult(turnId);
                        turn = patched(turnId);
                    }
                    default -> { }
                }
                reply(request.id(), result);
                if (turn != null) {
                    out.write(turn);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client closed the pipe: done
        }
    }

    private void reply(RequestId id, ObjectNode result) throws IOException {
        out.write((ProtocolCodec.encode(new JsonRpcMessage.Response(id, result)) + "\n").getBytes(UTF_8));
        out.flush();
    }

    private byte[] patched(String turnId) {
        byte[] bytes = Arrays.copyOf(template, template.length);
        byte[] id = turnId.getBytes(UTF_8);
        for (int offset : turnIdOffsets) {
            System.arraycopy(id, 0, bytes, offset, id.length);
        }
        return bytes;
    }

    private static int[] offsets(byte[] haystack, byte[] needle) {
        List<Integer> found = new ArrayList<>();
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            found.add(i);
        }
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void close() {
        try {
            toClient.sink().close();
            toClient.source().close();
            toPeer.sink().close();
            toPeer.source().close();
        } catch (IOException ignored) {
            // closing pipes of our own: nothing to report
        }
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
