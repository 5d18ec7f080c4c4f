package dev.codex4j.protocol.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.ProtocolException;
import dev.codex4j.protocol.RoutingKeys;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every recorded message of the real app-server (core/src/test/resources/transcripts, recordings of
 * the pinned CLI) binds strictly to a typed, non-Unknown message, by the tree path and by the byte
 * path alike, and encodes back to the same bytes (the recordings hold each message re-serialized
 * compactly, in its original member order).
 */
class TranscriptsTest {
    /** Recordings of the pinned CLI (the directory's own files); other versions are in {@code cli-<version>/}. */
    static final String PINNED = "";

    /**
     * One message line of a recording. {@code wire} says whether {@code json} is the exact text the
     * peer wrote (rows with {@code "line"}) rather than the message re-serialized compactly.
     */
    record Line(String recording, int number, String dir, String json, boolean raw, boolean wire) {}

    static List<Line> lines() {
        return lines(PINNED);
    }

    /**
     * @param version {@link #PINNED}, or a subdirectory such as {@code "cli-0.171.0"}
     * @return every message row of every recording there
     */
    static List<Line> lines(String version) {
        List<Line> all = new ArrayList<>();
        for (Path file : recordings(version)) {
            String name = (version.isEmpty() ? "" : version + "/") + file.getFileName().toString().replace(".jsonl", "");
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            int n = 0;
            for (String row : text.split("\n")) {
                n++;
                if (row.isBlank()) {
                    continue;
                }
                JsonNode r = ProtocolCodec.mapper().readTree(row);
                String dir = r.get("dir").asString();
                if ((dir.equals("c2s") || dir.equals("s2c")) && r.has("line")) {
                    all.add(new Line(name, n, dir, r.get("line").asString(), false, true));
                } else if ((dir.equals("c2s") || dir.equals("s2c")) && r.has("msg")) {
                    all.add(new Line(name, n, dir, ProtocolCodec.mapper().writeValueAsString(r.get("msg")), false, false));
                } else if (dir.equals("c2s") || dir.equals("s2c")) {
                    // Deliberately malformed input the recording sent to the server.
                    all.add(new Line(name, n, dir, r.get("raw").asString(), true, false));
                }
            }
        }
        return all;
    }

    static List<Path> recordings(String version) {
        try {
            URL root = TranscriptsTest.class.getResource("/transcripts/" + version);
            assertNotNull(root, "recordings " + version);
            try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
                return files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRecordedMessageDecodesTypedAndReencodesToEqualJson() {
        return roundTrips(lines());
    }

    /** The same for the recordings of the CLI versions before and after the pinned one. */
    @TestFactory
    Stream<DynamicTest> messagesOfOtherCliVersionsDecodeTypedAndReencodeToEqualJson() {
        List<Line> lines = new ArrayList<>(lines("cli-0.171.0"));
        lines.addAll(lines("cli-0.163.0"));
        return roundTrips(lines);
    }

    static Stream<DynamicTest> roundTrips(List<Line> lines) {
        assertTrue(lines.size() > 150, "recordings present");
        // Responses are typed by the method of the request they answer, per recording and direction.
        Map<String, String> clientRequestMethods = new HashMap<>();
        Map<String, String> serverRequestMethods = new HashMap<>();
        // Requests the recording sent with deliberately wrong params; the server answered them with an error.
        Set<String> rejected = new HashSet<>();
        for (Line l : lines) {
            if (!l.raw() && l.dir().equals("s2c")
                    && ProtocolCodec.decode(l.json()) instanceof JsonRpcMessage.ErrorResponse e && e.id() != null) {
                rejected.add(l.recording() + ":" + e.id());
            }
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Line l : lines) {
            if (l.raw()) {
                tests.add(DynamicTest.dynamicTest(l.recording() + " line " + l.number() + " malformed",
                        () -> assertThrows(ProtocolException.class, () -> ProtocolCodec.decode(l.json()))));
                continue;
            }
            JsonRpcMessage m = ProtocolCodec.decode(l.json());
            String key = l.recording() + ":";
            if (m instanceof JsonRpcMessage.Request r) {
                (l.dir().equals("c2s") ? clientRequestMethods : serverRequestMethods).put(key + r.id(), r.method());
            }
            String answered = null;
            if (m instanceof JsonRpcMessage.Response r) {
                answered = (l.dir().equals("s2c") ? clientRequestMethods : serverRequestMethods).get(key + r.id());
            }
            String method = answered;
            boolean invalid = m instanceof JsonRpcMessage.Request r && l.dir().equals("c2s")
                    && rejected.contains(key + r.id());
            tests.add(DynamicTest.dynamicTest(l.recording() + " line " + l.number() + " " + summary(m),
                    () -> checkTypedRoundTrip(l, method, invalid)));
        }
        return tests.stream();
    }

    @Test
    void aRecordedImageInputKeepsItsUrlAndPath() {
        List<dev.codex4j.protocol.types.UserInput> content = new ArrayList<>();
        for (Line l : lines()) {
            if (l.recording().equals("image_input") && l.dir().equals("s2c") && l.json().startsWith("{\"method\":\"item/completed\"")) {
                byte[] bytes = l.json().getBytes(StandardCharsets.UTF_8);
                if (((ServerNotification.ItemCompleted) TypedCodec.notification(bytes, 0, bytes.length)).params().item()
                        instanceof dev.codex4j.protocol.types.ThreadItem.UserMessage u) {
                    content.addAll(u.content());
                }
            }
        }
        var image = content.stream().filter(c -> c instanceof dev.codex4j.protocol.types.UserInput.Image)
                .map(c -> (dev.codex4j.protocol.types.UserInput.Image) c).findFirst().orElseThrow();
        assertTrue(image.url().startsWith("data:image/png;base64,"), image.url());
        var local = content.stream().filter(c -> c instanceof dev.codex4j.protocol.types.UserInput.LocalImage)
                .map(c -> (dev.codex4j.protocol.types.UserInput.LocalImage) c).findFirst().orElseThrow();
        assertEquals("/home/dev/workspace/pixel.png", local.path());
    }

    @Test
    void aNewerCliMemberIsKeptInPlace() {
        // 0.171.0 added McpServerStartupStatusUpdated.environmentId (here null): the pinned types keep it.
        Line l = lines("cli-0.171.0").stream()
                .filter(x -> x.json().contains("\"method\":\"mcpServer/startupStatus/updated\"")).findFirst().orElseThrow();
        byte[] bytes = l.json().getBytes(StandardCharsets.UTF_8);
        ServerNotification n = TypedCodec.notification(bytes, 0, bytes.length);
        var params = ((ServerNotification.McpServerStartupStatusUpdated) n).params();
        assertTrue(params.additionalProperties().containsKey("environmentId"), params.toString());
        assertTrue(TypedCodec.params(params).toString().contains("\"name\":\"echo\",\"environmentId\":null,\"status\""),
                TypedCodec.params(params).toString());
    }

    @TestFactory
    Stream<DynamicTest> fastRoutingKeysEqualThoseOfTheFullDecode() {
        return lines().stream().map(l -> DynamicTest.dynamicTest(l.recording() + " line " + l.number(), () -> {
            if (l.raw()) {
                assertThrows(ProtocolException.class, () -> RoutingKeys.read(l.json()), l.json());
            } else {
                assertEquals(RoutingKeys.of(ProtocolCodec.decode(l.json())), RoutingKeys.read(l.json()));
            }
        }));
    }

    private static String summary(JsonRpcMessage m) {
        return switch (m) {
            case JsonRpcMessage.Request r -> "request " + r.method();
            case JsonRpcMessage.Notification n -> "notification " + n.method();
            case JsonRpcMessage.Response r -> "response " + r.id();
            case JsonRpcMessage.ErrorResponse e -> "error " + e.id();
        };
    }

    static void checkTypedRoundTrip(Line l, @Nullable String answeredMethod, boolean rejectedByServer) {
        JsonRpcMessage m = ProtocolCodec.decode(l.json());
        if (!inSchema(m, l.dir(), answeredMethod)) {
            // Only the codec applies: a method outside the schema, or a response to no request.
            assertEquals(normalize(ProtocolCodec.mapper().readTree(l.json())),
                    normalize(ProtocolCodec.mapper().readTree(ProtocolCodec.encode(m))));
            return;
        }
        if (rejectedByServer) {
            // Deliberately invalid params: binding may fail (ProtocolException) or coerce; it must not be anything else.
            JsonRpcMessage.Request r = (JsonRpcMessage.Request) m;
            try {
                TypedCodec.clientParams(ClientMethods.byName(r.method()), r.params());
            } catch (ProtocolException expected) {
                // fine
            }
            return;
        }
        JsonRpcMessage typedBack = switch (m) {
            case JsonRpcMessage.Notification n when l.dir().equals("s2c") -> {
                ServerNotification t = TypedCodec.notification(n);
                assertFalse(t instanceof ServerNotification.Unknown, () -> "untyped: " + t);
                byte[] bytes = l.json().getBytes(StandardCharsets.UTF_8);
                assertEquals(t, TypedCodec.notification(bytes, 0, bytes.length), "the byte path binds the same");
                assertEquals(t, TypedCodec.notification(n.method(), bytes, 0, bytes.length));
                yield new JsonRpcMessage.Notification(n.method(), TypedCodec.params(paramsOf(t)), n.emittedAtMs());
            }
            case JsonRpcMessage.Notification n -> {
                assertNotNull(ClientNotifications.byName(n.method()), n.method());
                yield n;
            }
            case JsonRpcMessage.Request r when l.dir().equals("s2c") -> {
                ServerRequest t = TypedCodec.serverRequest(r);
                assertFalse(t instanceof ServerRequest.Unknown, () -> "untyped: " + t);
                byte[] bytes = l.json().getBytes(StandardCharsets.UTF_8);
                assertEquals(t, TypedCodec.serverRequest(bytes, 0, bytes.length), "the byte path binds the same");
                yield new JsonRpcMessage.Request(t.id(), t.method(), TypedCodec.params(serverParamsOf(t)));
            }
            case JsonRpcMessage.Request r -> {
                ClientMethod<?, ?> cm = ClientMethods.byName(r.method());
                assertNotNull(cm, r.method());
                yield new JsonRpcMessage.Request(r.id(), r.method(), TypedCodec.params(TypedCodec.clientParams(cm, r.params())));
            }
            case JsonRpcMessage.Response r when l.dir().equals("s2c") -> {
                ClientMethod<?, ?> cm = ClientMethods.byName(answeredMethod);
                assertNotNull(cm, "answered method " + answeredMethod);
                Object typed = TypedCodec.result(cm, r.result());
                byte[] bytes = l.json().getBytes(StandardCharsets.UTF_8);
                assertEquals(TypedCodec.params(typed), TypedCodec.params(TypedCodec.result(cm, bytes, 0, bytes.length)),
                        "the byte path binds the same");
                yield new JsonRpcMessage.Response(r.id(), TypedCodec.params(typed));
            }
            case JsonRpcMessage.Response r -> {
                ServerRequestMethod<?, ?> sm = ServerRequestMethods.byName(answeredMethod);
                assertNotNull(sm, "answered server request " + answeredMethod);
                yield new JsonRpcMessage.Response(r.id(), TypedCodec.params(TypedCodec.result(sm, r.result())));
            }
            case JsonRpcMessage.ErrorResponse e -> e;
        };
        if (l.wire()) {
            // The recording kept the peer's own text: it is what Jackson writes for the same tree, so
            // the payload comparison below is byte for byte against the wire.
            assertEquals(l.json(), ProtocolCodec.mapper().writeValueAsString(ProtocolCodec.mapper().readTree(l.json())));
        }
        // The payload byte for byte: members in their original order, explicit nulls kept, unknown
        // members in place. The envelope is ProtocolCodec's (it writes "id" first and no "jsonrpc"), so
        // it is compared as JSON.
        JsonNode original = ProtocolCodec.mapper().readTree(l.json());
        ObjectNode reencoded = ProtocolCodec.toTree(typedBack);
        String payload = original.has("params") ? "params" : original.has("result") ? "result" : "error";
        assertEquals(ProtocolCodec.mapper().writeValueAsString(original.get(payload)),
                ProtocolCodec.mapper().writeValueAsString(reencoded.get(payload)));
        ((ObjectNode) original).remove("jsonrpc");
        assertEquals(numbersByValue(original), numbersByValue(reencoded));
    }

    static boolean inSchema(JsonRpcMessage m, String dir, @Nullable String answeredMethod) {
        boolean s2c = dir.equals("s2c");
        return switch (m) {
            case JsonRpcMessage.Notification n -> s2c ? isServerNotificationMethod(n.method())
                    : ClientNotifications.byName(n.method()) != null;
            case JsonRpcMessage.Request r -> s2c ? ServerRequestMethods.byName(r.method()) != null
                    : ClientMethods.byName(r.method()) != null;
            case JsonRpcMessage.Response r -> answeredMethod != null;
            case JsonRpcMessage.ErrorResponse e -> true;
        };
    }

    private static boolean isServerNotificationMethod(String method) {
        ServerNotification t = TypedCodec.notification(new JsonRpcMessage.Notification(method,
                ProtocolCodec.emptyObject(), null));
        return !(t instanceof ServerNotification.Unknown u) || !u.reason().equals("method not in the schema");
    }

    static Object paramsOf(ServerNotification n) {
        try {
            return n.getClass().getMethod("params").invoke(n);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static Object serverParamsOf(ServerRequest r) {
        try {
            return r.getClass().getMethod("params").invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The same JSON with numbers compared by value (the envelope writes an id as a long, a tree reads an int). */
    static JsonNode numbersByValue(JsonNode n) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (n.isObject()) {
            ObjectNode o = f.objectNode();
            n.properties().forEach(e -> o.set(e.getKey(), numbersByValue(e.getValue())));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = f.arrayNode();
            n.forEach(x -> a.add(numbersByValue(x)));
            return a;
        }
        return n.isNumber() ? f.numberNode(new BigDecimal(n.asString()).stripTrailingZeros()) : n;
    }

    /** Drops null members, emittedAtMs and "jsonrpc", and compares numbers by value. */
    static JsonNode normalize(JsonNode n) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (n.isObject()) {
            ObjectNode o = f.objectNode();
            n.properties().forEach(e -> {
                if (!e.getValue().isNull() && !e.getKey().equals("emittedAtMs") && !e.getKey().equals("jsonrpc")) {
                    o.set(e.getKey(), normalize(e.getValue()));
                }
            });
            if (o.has("params") && o.get("params").isObject() && o.get("params").isEmpty() && !o.has("id")) {
                o.remove("params");
            }
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = f.arrayNode();
            n.forEach(x -> a.add(normalize(x)));
            return a;
        }
        if (n.isNumber()) {
            return f.numberNode(new BigDecimal(n.asString()).stripTrailingZeros());
        }
        return n;
    }
}
