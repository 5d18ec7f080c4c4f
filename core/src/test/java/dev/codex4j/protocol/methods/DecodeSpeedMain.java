package dev.codex4j.protocol.methods;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: a by-hand measurement of notification decoding, tree path against byte path, on one
 * recorded line of each kind of item/completed and one item/agentMessage/delta. Best of 5 rounds of
 * 200k after a warm-up of 200k. Run with the test class path:
 * {@code java -cp core/target/classes:core/target/test-classes:<jackson jars> dev.codex4j.protocol.methods.DecodeSpeedMain}.
 */
public final class DecodeSpeedMain {
    static volatile Object sink;

    private DecodeSpeedMain() {}

    /** @param args unused */
    public static void main(String[] args) {
        Map<String, byte[]> lines = new LinkedHashMap<>();
        for (TranscriptsTest.Line l : TranscriptsTest.lines()) {
            if (l.raw() || !l.dir().equals("s2c")) {
                continue;
            }
            String key = null;
            if (l.json().startsWith("{\"method\":\"item/completed\"")) {
                int t = l.json().indexOf("\"type\":\"");
                key = "item/completed " + l.json().substring(t + 8, l.json().indexOf('"', t + 8));
            } else if (l.json().startsWith("{\"method\":\"item/agentMessage/delta\"")) {
                key = "item/agentMessage/delta";
            }
            if (key != null) {
                lines.putIfAbsent(key, l.json().getBytes(UTF_8));
            }
        }
        List<String> report = new ArrayList<>();
        lines.forEach((name, bytes) -> {
            double tree = time(() -> sink = TypedCodec.notification((JsonRpcMessage.Notification)
                    ProtocolCodec.fromTree(ProtocolCodec.mapper().readTree(bytes), null)));
            double fast = time(() -> sink = TypedCodec.notification(bytes, 0, bytes.length));
            report.add(String.format("%-36s %5d B  tree %6.0f ns  bytes %6.0f ns", name, bytes.length, tree, fast));
        });
        report.forEach(System.out::println);
    }

    static double time(Runnable r) {
        for (int i = 0; i < 200_000; i++) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 200_000; i++) {
                r.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 200_000.0);
        }
        return best;
    }
}
