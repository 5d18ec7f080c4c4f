package dev.codex4j.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.ClientMethod;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.RequestId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The fake's messages are what the real server sends: every one binds strictly to the generated types. */
class AppServerMessagesTest {
    private static final String THREAD = "01a20dce-f563-75b3-93fc-b82db7d15747";
    private static final String TURN = "01a20dce-f571-7893-8e83-53e9c32b8b3c";

    private static void assertBinds(ObjectNode message) {
        message.put("emittedAtMs", 1795527996817L);
        JsonRpcMessage.Notification n = (JsonRpcMessage.Notification) ProtocolCodec.decode(
                ProtocolCodec.mapper().writeValueAsString(message));
        ServerNotification typed = TypedCodec.notification(n);
        if (typed instanceof ServerNotification.Unknown u) {
            throw new AssertionError(n.method() + ": " + u.reason());
        }
    }

    private static <R> void assertResultBinds(ClientMethod<?, R> method, JsonNode result) {
        TypedCodec.result(method, result); // throws DecodeException naming the path
    }

    @Test
    void everyNotificationBindsStrictly() {
        List<ObjectNode> all = new ArrayList<>(AppServerMessages.simpleTurn(THREAD, TURN, "q", "a b c"));
        all.add(AppServerMessages.threadStarted(THREAD, "/w"));
        all.add(AppServerMessages.turnFailed(THREAD, TURN, "boom", "internalServerError"));
        all.add(AppServerMessages.error(THREAD, TURN, "boom", "internalServerError", false));
        all.add(AppServerMessages.agentMessageCompleted(THREAD, TURN, "m", "text", null));
        all.add(AppServerMessages.agentMessageStarted(THREAD, TURN, "m", null));
        all.add(AppServerMessages.remoteControlStatusChanged());
        all.add(AppServerMessages.serverRequestResolved(THREAD, ProtocolCodec.mapper().valueToTree(7)));
        assertFalse(all.isEmpty());
        all.forEach(AppServerMessagesTest::assertBinds);
    }

    @Test
    void everyResultBindsStrictly() {
        assertResultBinds(ClientMethods.INITIALIZE, AppServerMessages.initializeResult("codex4j"));
        assertResultBinds(ClientMethods.THREAD_START, AppServerMessages.threadStartResult(THREAD, "/w"));
        assertResultBinds(ClientMethods.THREAD_RESUME, AppServerMessages.threadStartResult(THREAD, "/w"));
        assertResultBinds(ClientMethods.THREAD_FORK, AppServerMessages.threadStartResult(THREAD, "/w"));
        assertResultBinds(ClientMethods.TURN_START, AppServerMessages.turnStartResult(TURN));
    }

    @Test
    void theCommandApprovalBindsStrictly() {
        ServerRequest r = TypedCodec.serverRequest(new JsonRpcMessage.Request(RequestId.of(1),
                "item/commandExecution/requestApproval", AppServerMessages.commandApprovalParams(THREAD, TURN, "i",
                        "ls", "why")));
        assertEquals(ServerRequest.ItemCommandExecutionRequestApproval.class, r.getClass(), r.toString());
    }
}
