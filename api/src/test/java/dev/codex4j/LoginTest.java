package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.LoginFailedException;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.CancelLoginAccountStatus;
import dev.codex4j.protocol.types.LoginAccountResponse;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** ChatGPT sign-in flows against the scripted fake app-server (the real one needs a browser and the network). */
class LoginTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static JsonNode browserReply(String loginId) {
        return ProtocolCodec.objectOf(Map.of("type", "chatgpt", "loginId", loginId,
                "authUrl", "https://auth.example/authorize?x=1"));
    }

    private static JsonNode completed(String loginId, boolean success, String error) {
        Map<String, Object> p = success ? Map.of("loginId", loginId, "success", true)
                : Map.of("loginId", loginId, "success", false, "error", error);
        return AppServerMessages.notification("account/login/completed", ProtocolCodec.objectOf(p));
    }

    private static Codex connect(FakeAppServer fake) {
        return Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build();
    }

    @Test
    void aBrowserLoginCompletesWhenTheServerSaysSo() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("account/login/start", (req, out) -> {
            out.respond(browserReply("L1"));
            out.send(completed("other", false, "not ours")); // another client's login: ignored
            out.send(completed("L1", true, ""));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake);
                Login login = codex.loginWithChatGpt()) {
            LoginAccountResponse.Chatgpt r = assertInstanceOf(LoginAccountResponse.Chatgpt.class, login.response());
            assertEquals("https://auth.example/authorize?x=1", r.authUrl());
            assertEquals("L1", login.await(WAIT).loginId());
            assertTrue(login.isDone());
        }
    }

    @Test
    void aCompletionThatBeatsTheReplyIsNotLost() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("account/login/start", (req, out) -> {
            out.send(completed("L2", true, ""));
            out.respond(browserReply("L2"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake);
                Login login = codex.loginWithChatGpt()) {
            assertTrue(login.await(WAIT).success());
        }
    }

    @Test
    void aFailedLoginThrowsWithTheServersReason() {
        FakeAppServer.Script script = FakeAppServer.script().onRequest("account/login/start", (req, out) -> {
            out.respond(browserReply("L3"));
            out.send(completed("L3", false, "state mismatch"));
        });
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake);
                Login login = codex.loginWithChatGpt()) {
            LoginFailedException e = assertThrows(LoginFailedException.class, () -> login.await(WAIT));
            assertEquals("state mismatch", e.error().orElseThrow());
        }
    }

    @Test
    void aLoginThatDoesNotCompleteTimesOutAndCanBeCancelled() {
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("account/login/start", (req, out) -> out.respond(browserReply("L4")))
                .onRequest("account/login/cancel", (req, out) -> out.respond(ProtocolCodec.objectOf(Map.of("status", "canceled"))));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake)) {
            Login login = codex.loginWithChatGpt();
            assertThrows(RequestTimeoutException.class, () -> login.await(Duration.ofMillis(200)));
            assertFalse(login.isDone());
            assertEquals(CancelLoginAccountStatus.CANCELED, login.cancel());
            assertThrows(LoginFailedException.class, () -> login.await(WAIT));
            assertEquals("L4", fake.requests("account/login/cancel").get(0).path("params").path("loginId").asString());
        }
    }

    @Test
    void closingAnUnfinishedLoginCancelsIt() {
        FakeAppServer.Script script = FakeAppServer.script()
                .onRequest("account/login/start", (req, out) -> out.respond(browserReply("L5")))
                .onRequest("account/login/cancel", (req, out) -> out.respond(ProtocolCodec.objectOf(Map.of("status", "canceled"))));
        try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake)) {
            codex.loginWithChatGpt().close();
            assertEquals(1, fake.requests("account/login/cancel").size());
        }
    }

    /** Issue 21: a server that quotes the request back (debug servers, some proxies) never puts the key in a message. */
    @Test
    void anApiKeyTheServerQuotesBackIsInNoExceptionMessage() {
        String key = "sk-test-" + Long.toHexString(System.nanoTime()) + "-quoted";
        FakeAppServer.Script refused = FakeAppServer.script().onRequest("account/login/start",
                (req, out) -> out.error(-32600, "invalid api key " + key + " in " + req));
        FakeAppServer.Script failed = FakeAppServer.script().onRequest("account/login/start", (req, out) -> {
            out.respond(ProtocolCodec.objectOf(Map.of("type", "apiKey")));
            out.send(AppServerMessages.notification("account/login/completed", ProtocolCodec.objectOf(
                    Map.of("success", false, "error", "the key " + key + " was revoked"))));
        });
        for (FakeAppServer.Script script : java.util.List.of(refused, failed)) {
            try (FakeAppServer fake = FakeAppServer.inProcess(script); Codex codex = connect(fake)) {
                RuntimeException e = assertThrows(RuntimeException.class, () -> codex.loginWithApiKey(key));
                for (Throwable t = e; t != null; t = t.getCause()) {
                    assertFalse(String.valueOf(t.getMessage()).contains(key), "the key is quoted: " + t);
                    if (t instanceof LoginFailedException f) {
                        assertFalse(f.error().orElse("").contains(key), "the key is quoted: " + f.error());
                    }
                }
            }
        }
    }
}
