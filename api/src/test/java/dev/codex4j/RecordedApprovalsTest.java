package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.internal.sdk.ApprovalReplies;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.methods.ServerRequestMethods;
import dev.codex4j.protocol.TypedCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * Every approval request the real servers sent (the recordings of 0.163.0, 0.169.0 and 0.171.0 in
 * core's test resources) becomes a typed {@link ApprovalRequest}, not {@code Unknown}, that keeps
 * every member as sent, and the fail-closed refusal is a reply its schema accepts.
 */
class RecordedApprovalsTest {
    static final Path TRANSCRIPTS = Path.of(System.getProperty("codex4j.repo.root", ".."),
            "core/src/test/resources/transcripts");

    record Recorded(String where, String method, JsonNode params) {}

    static List<Recorded> approvals() throws IOException {
        List<Recorded> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(TRANSCRIPTS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                int n = 0;
                for (String line : Files.readAllLines(f)) {
                    n++;
                    JsonNode row = ProtocolCodec.mapper().readTree(line);
                    JsonNode msg = row.path("msg");
                    if (row.path("dir").asString("").equals("s2c") && msg.has("method") && msg.has("id")
                            && ServerRequestMethods.byName(msg.path("method").asString()) != null) {
                        out.add(new Recorded(TRANSCRIPTS.relativize(f) + ":" + n, msg.path("method").asString(),
                                msg.path("params")));
                    }
                }
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyRecordedApprovalIsTypedWithNoMemberLost() throws IOException {
        List<Recorded> all = approvals();
        assertTrue(all.stream().anyMatch(r -> r.where().startsWith("cli-0.171.0")), "0.171.0 approvals recorded");
        assertTrue(all.stream().anyMatch(r -> r.where().startsWith("cli-0.163.0")), "0.163.0 approvals recorded");
        assertTrue(all.stream().anyMatch(r -> r.method().equals("item/permissions/requestApproval")), "a permissions request");
        return all.stream().map(r -> DynamicTest.dynamicTest(r.where() + " " + r.method(), () -> {
            ApprovalRequest a = ApprovalRequest.of(r.method(), r.params());
            assertFalse(a instanceof ApprovalRequest.Unknown, () -> a.toString());
            assertEquals(ProtocolCodec.mapper().writeValueAsString(r.params()),
                    ProtocolCodec.mapper().writeValueAsString(a.raw()), "every member, in place");
            assertFalse(a.availableDecisions().isEmpty());
            JsonNode refusal = ApprovalReplies.result(a, Decision.refuse());
            TypedCodec.result(ServerRequestMethods.byName(r.method()), refusal);  // strict: the schema accepts it
        }));
    }
}
