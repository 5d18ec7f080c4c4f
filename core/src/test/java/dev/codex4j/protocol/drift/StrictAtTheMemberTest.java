package dev.codex4j.protocol.drift;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.types.AgentMessageDeltaNotification;
import dev.codex4j.protocol.types.ErrorNotification;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Strict at the member, not at the message, for each kind of message: a member that does not bind
 * keeps its JSON (written back as it came), only its accessor throws, nothing is coerced, and the
 * rest of the message stays typed.
 */
class StrictAtTheMemberTest {
    static String recordedLine(String file, String method) throws IOException {
        try (InputStream in = StrictAtTheMemberTest.class.getResourceAsStream("/transcripts/cli-0.171.0/" + file)) {
            for (String row : new String(in.readAllBytes(), UTF_8).split("\n")) {
                JsonNode r = ProtocolCodec.mapper().readTree(row);
                if (r.path("msg").path("method").asString("").equals(method) && r.has("line")) {
                    return r.path("line").asString();
                }
            }
        }
        throw new AssertionError("no recorded " + method);
    }

    @Test
    void aServerRequestWithAMistypedMemberStaysTypedAndAnswerable() throws IOException {
        String line = recordedLine("command_approval.jsonl", "item/commandExecution/requestApproval")
                .replace("\"command\":\"/bin/bash -c 'touch marker.txt'\"", "\"command\":[\"/bin/bash\",\"-c\"]");
        JsonRpcMessage.Request r = (JsonRpcMessage.Request) ProtocolCodec.decode(line);
        ServerRequest typed = TypedCodec.serverRequest(r);
        byte[] b = line.getBytes(UTF_8);
        assertEquals(typed, TypedCodec.serverRequest(b, 0, b.length));
        var a = assertInstanceOf(ServerRequest.ItemCommandExecutionRequestApproval.class, typed);
        assertEquals("call_mock_1", a.params().itemId());
        assertEquals("needs to write", a.params().reason());
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, () -> a.params().command());
        assertEquals("$.params.command", e.path());
        assertTrue(e.problem().startsWith("expected a string, got an array"), e.problem());
        assertEquals("[\"/bin/bash\",\"-c\"]", e.actual().toString());
        assertEquals(r.params().toString(), TypedCodec.params(a.params()).toString(), "written back as it came");
    }

    @Test
    void aNotificationWithoutItsRoutingThreadIdIsTypedAndRoutedByWhatItHas() throws IOException {
        String line = recordedLine("command_execution.jsonl", "turn/completed")
                .replaceFirst("\"threadId\":\"[^\"]+\",", "");
        // The dispatcher routes by the keys the line has (a turn id, no thread id)...
        RoutingKeys keys = RoutingKeys.read(line);
        assertNull(keys.threadId());
        // ...and the consumer gets the typed notification; only the missing member throws.
        ServerNotification n = TypedCodec.notification((JsonRpcMessage.Notification) ProtocolCodec.decode(line));
        var t = assertInstanceOf(ServerNotification.TurnCompleted.class, n);
        assertEquals("completed", t.params().turn().status().value());
        MemberNotBoundException e = assertThrows(MemberNotBoundException.class, () -> t.params().threadId());
        assertEquals("$.params.threadId", e.path());
        assertEquals("missing required member", e.problem());
    }

    @Test
    void nothingIsCoercedAndAMistypedMemberIsWrittenBackAsItCame() {
        String params = "{\"error\":{\"message\":\"m\"},\"willRetry\":\"true\",\"threadId\":\"t\",\"turnId\":42}";
        ServerNotification n = TypedCodec.notification(new JsonRpcMessage.Notification("error",
                ProtocolCodec.mapper().readTree(params), null));
        ErrorNotification e = assertInstanceOf(ServerNotification.Error.class, n).params();
        assertEquals("m", e.error().message());
        assertEquals("t", e.threadId());
        assertEquals("expected a boolean, got the string \"true\"",
                assertThrows(MemberNotBoundException.class, e::willRetry).problem());
        assertEquals("expected a string, got the number 42",
                assertThrows(MemberNotBoundException.class, e::turnId).problem());
        assertEquals(params, ErrorNotification.codec().toJson(e));
        // Setting the member replaces what came: the value is whole again.
        ErrorNotification fixed = e.toBuilder().willRetry(true).turnId("u").build();
        assertTrue(fixed.willRetry());
        assertEquals(fixed, fixed.validate());
        assertEquals("{\"error\":{\"message\":\"m\"},\"willRetry\":true,\"threadId\":\"t\",\"turnId\":\"u\"}",
                ErrorNotification.codec().toJson(fixed));
    }

    @Test
    void theCodecsStayStrict() {
        // X.codec().fromJson and Jackson databind bind strictly, as before; only messages bind leniently.
        assertThrows(dev.codex4j.errors.DecodeException.class, () -> AgentMessageDeltaNotification.codec()
                .fromJson("{\"threadId\":\"t\",\"turnId\":\"u\",\"itemId\":\"i\",\"delta\":true}"));
    }
}
