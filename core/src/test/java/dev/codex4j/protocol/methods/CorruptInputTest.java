package dev.codex4j.protocol.methods;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RoutingKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random and corrupted lines (seeded, derived from the recordings) only ever give a
 * {@link ProtocolException} or an {@code Unknown}: never another exception, a hang or a stack overflow.
 */
class CorruptInputTest {
    static final long SEED = 20261124L;
    static final int MUTANTS = 3000;
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void mutatedRecordingsOnlyGiveProtocolExceptionOrUnknown() {
        Random rnd = new Random(SEED);
        List<String> seeds = new ArrayList<>();
        for (TranscriptsTest.Line l : TranscriptsTest.lines()) {
            if (!l.raw()) {
                seeds.add(l.json());
            }
        }
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < MUTANTS; i++) {
                String seed = seeds.get(rnd.nextInt(seeds.size()));
                String mutant = switch (rnd.nextInt(6)) {
                    case 0 -> seed.substring(0, rnd.nextInt(seed.length()));
                    case 1 -> flipChars(seed, rnd);
                    case 2 -> wrongTypes(seed, rnd);
                    case 3 -> wrongTypes(wrongTypes(seed, rnd), rnd);
                    case 4 -> invalidUtf8(seed, rnd);
                    default -> randomBytes(rnd);
                };
                check(mutant);
            }
        });
    }

    @Test
    void deepNestingIsAProtocolExceptionNotAStackOverflow() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            check("[".repeat(100_000));
            check("{\"method\":\"item/started\",\"params\":" + "[".repeat(100_000));
            check("{\"method\":\"item/started\",\"params\":" + "{\"a\":".repeat(100_000));
            // Just under the parser's depth limit, inside params that go through union readers.
            int depth = ProtocolCodec.MAX_NESTING_DEPTH - 10;
            String nested = "{\"type\":\"userMessage\",\"id\":\"i\",\"content\":".repeat(depth / 2) + "[]"
                    + "}".repeat(depth / 2);
            check("{\"method\":\"item/started\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\",\"item\":" + nested + "}}");
            String arrays = "[".repeat(depth) + "]".repeat(depth);
            check("{\"method\":\"item/started\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\",\"item\":{"
                    + "\"type\":\"userMessage\",\"id\":\"i\",\"content\":" + arrays + "}}}");
        });
    }

    @Test
    void hugeStringsDecode() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            String big = "x".repeat(3_000_000);
            check("{\"method\":\"item/agentMessage/delta\",\"params\":{\"threadId\":\"t\",\"turnId\":\"u\","
                    + "\"itemId\":\"i\",\"delta\":\"" + big + "\"}}");
            check("{\"method\":\"" + big + "\",\"params\":{}}");
            check("{\"id\":\"" + big + "\",\"method\":\"item/tool/call\",\"params\":{}}");
            check("\"" + big);
        });
    }

    /** Decodes a line every way a reader would; anything but ProtocolException or Unknown fails. */
    static void check(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        // Encoding replaces a lone surrogate with '?': only then may the byte path see another line.
        boolean sameLine = new String(bytes, StandardCharsets.UTF_8).equals(line);
        ServerNotification fast = null;
        try {
            fast = TypedCodec.notification(bytes, 0, bytes.length);
        } catch (ProtocolException expected) {
            // fine: not a notification
        } catch (Throwable t) {
            fail("the byte path threw " + t + " for " + excerpt(line), t);
        }
        try {
            TypedCodec.serverRequest(bytes, 0, bytes.length);
        } catch (ProtocolException expected) {
            // fine: not a request
        } catch (Throwable t) {
            fail("the byte path of requests threw " + t + " for " + excerpt(line), t);
        }
        try {
            RoutingKeys.read(line);
        } catch (ProtocolException expected) {
            // fine
        } catch (Throwable t) {
            fail("RoutingKeys.read threw " + t + " for " + excerpt(line), t);
        }
        JsonRpcMessage m;
        try {
            m = ProtocolCodec.decode(line);
        } catch (ProtocolException expected) {
            return;
        } catch (Throwable t) {
            fail("decode threw " + t + " for " + excerpt(line), t);
            return;
        }
        try {
            RoutingKeys.of(m);
            switch (m) {
                case JsonRpcMessage.Notification n -> {
                    ServerNotification tree = TypedCodec.notification(n);
                    if (sameLine && !tree.equals(fast)) {
                        fail("the byte path gave " + fast + " but the tree path " + tree + " for " + excerpt(line));
                    }
                }
                case JsonRpcMessage.Request r -> {
                    TypedCodec.serverRequest(r);
                    ClientMethod<?, ?> cm = ClientMethods.byName(r.method());
                    if (cm != null) {
                        try {
                            TypedCodec.clientParams(cm, r.params());
                        } catch (ProtocolException expected) {
                            // fine
                        }
                    }
                }
                case JsonRpcMessage.Response r -> {
                    for (ClientMethod<?, ?> cm : List.of(ClientMethods.THREAD_START, ClientMethods.TURN_START,
                            ClientMethods.MODEL_LIST, ClientMethods.INITIALIZE)) {
                        try {
                            TypedCodec.result(cm, r.result());
                        } catch (ProtocolException expected) {
                            // fine
                        }
                    }
                }
                case JsonRpcMessage.ErrorResponse e -> { }
            }
            ProtocolCodec.encode(m);
        } catch (Throwable t) {
            fail("typed decoding threw " + t + " for " + excerpt(line), t);
        }
    }

    static String excerpt(String line) {
        return line.length() > 300 ? line.substring(0, 300) + "... (" + line.length() + " chars)" : line;
    }

    static String flipChars(String s, Random rnd) {
        char[] c = s.toCharArray();
        String alphabet = "{}[]\":,0-9eE.tfn\\u ";
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
            c[rnd.nextInt(c.length)] = alphabet.charAt(rnd.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    static String invalidUtf8(String s, Random rnd) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF8};
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
            b[rnd.nextInt(b.length)] = bad[rnd.nextInt(bad.length)];
        }
        // Both ways a reader might turn bytes into a String.
        return rnd.nextBoolean() ? new String(b, StandardCharsets.UTF_8) : new String(b, StandardCharsets.ISO_8859_1);
    }

    static String randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Replaces one random member or element of the JSON with a value of a random (often wrong) type. */
    static String wrongTypes(String s, Random rnd) {
        JsonNode root;
        try {
            root = ProtocolCodec.mapper().readTree(s);
        } catch (RuntimeException e) {
            return s;
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return s;
        }
        JsonNode target = containers.get(rnd.nextInt(containers.size()));
        JsonNode value = randomValue(rnd);
        if (target instanceof ObjectNode o && !o.isEmpty()) {
            List<String> names = new ArrayList<>(o.propertyNames());
            o.set(names.get(rnd.nextInt(names.size())), value);
        } else if (target instanceof ArrayNode a && !a.isEmpty()) {
            a.set(rnd.nextInt(a.size()), value);
        }
        return root.toString();
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainer()) {
            out.add(n);
            for (JsonNode c : n) {
                collect(c, out);
            }
        }
    }

    private static JsonNode randomValue(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> F.nullNode();
            case 1 -> F.numberNode(rnd.nextLong());
            case 2 -> F.numberNode(rnd.nextDouble() * 1e300);
            case 3 -> F.booleanNode(rnd.nextBoolean());
            case 4 -> F.stringNode("weird\u0000\uD800" + rnd.nextInt());
            case 5 -> F.arrayNode().add(1).add("x");
            case 6 -> F.objectNode().put("type", "nonsense");
            default -> F.objectNode();
        };
    }
}
