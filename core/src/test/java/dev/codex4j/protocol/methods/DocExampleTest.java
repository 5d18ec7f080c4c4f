package dev.codex4j.protocol.methods;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.protocol.types.TurnStartParams;
import dev.codex4j.protocol.types.TurnStatus;
import dev.codex4j.protocol.types.UserInput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example of docs/PROTOCOL.md, so that it keeps compiling and doing what it says. */
class DocExampleTest {
    final List<String> shown = new ArrayList<>();

    @Test
    void buildParamsAndSwitchOnItems() {
        String threadId = "t1";
        TurnStartParams params = TurnStartParams.builder()
                .threadId(threadId)
                .input(List.of(
                        UserInput.Text.builder().text("What is in this picture?").build(),
                        UserInput.Image.builder().url("data:image/png;base64,AA==").build()))
                .effort("low")
                .build();
        JsonRpcMessage.Request req = TypedCodec.request(RequestId.of(8), ClientMethods.TURN_START, params);
        assertEquals("{\"id\":8,\"method\":\"turn/start\",\"params\":{\"effort\":\"low\",\"input\":[{\"type\":\"text\","
                + "\"text\":\"What is in this picture?\"},{\"type\":\"image\",\"url\":\"data:image/png;base64,AA==\"}],"
                + "\"threadId\":\"t1\"}}", ProtocolCodec.encode(req));

        byte[] line = ("{\"method\":\"item/completed\",\"params\":{\"item\":{\"type\":\"agentMessage\",\"id\":\"m\","
                + "\"text\":\"A pixel.\"},\"threadId\":\"t1\",\"turnId\":\"u\",\"completedAtMs\":1}}").getBytes(UTF_8);
        if (TypedCodec.notification(line, 0, line.length) instanceof ServerNotification.ItemCompleted c) {
            switch (c.params().item()) {
                case ThreadItem.AgentMessage m -> shown.add(m.text());
                case ThreadItem.CommandExecution x -> shown.add(x.command() + " " + x.exitCode());
                case ThreadItem.Unknown u -> shown.add("new kind of item: " + u.reason());
                default -> { }
            }
        }
        assertEquals(List.of("A pixel."), shown);

        String next = switch (TurnStatus.of("failed").known()) {
            case COMPLETED -> "done";
            case FAILED, INTERRUPTED -> "retry";
            default -> "wait";
        };
        assertEquals("retry", next);
    }
}
