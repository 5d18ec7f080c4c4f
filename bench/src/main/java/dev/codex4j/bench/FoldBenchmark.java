package dev.codex4j.bench;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.RunResult;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.internal.runtime.Inbound;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one turn's {@code run()} fold, in microseconds per turn of {@value #DELTAS} deltas
 * and {@value #ITEMS} completed items ({@value #DELTAS} + 43 notifications, about 280 KB):
 *
 * <ul>
 *   <li>{@code foldOnly}: the SDK's fold over notifications already bound to the generated types;
 *   <li>{@code decodeAndFold}: decoding each line to a tree and binding the tree to the generated
 *       types, then the fold (the tree path; kept as the baseline);
 *   <li>{@code consumerFold}: what a turn's consumer does per routed message today: deltas from
 *       what the dispatcher already read of them, everything else bound once from the line's bytes
 *       by the streaming parser (no tree), then the fold;
 *   <li>{@code runOverPipe}: the public API end to end, {@code thread.turn(..).run()} against an
 *       in-process peer over a pipe ({@code turn/start} request and reply, dispatcher, mailbox,
 *       decode and fold).
 * </ul>
 *
 * <pre>{@code
 * scripts/bench FoldBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FoldBenchmark {
    static final int DELTAS = 1_000;
    static final int ITEMS = 20;
    private static final String TURN = RecordedTurns.turnId(1);

    private List<String> lines = List.of();
    private final List<ServerNotification> typed = new ArrayList<>();
    private final List<Inbound> routed = new ArrayList<>();
    private ReplayingPeer peer;
    private Codex codex;
    private CodexThread thread;

    /** Builds the turn and connects the client to the peer. */
    @Setup(Level.Trial)
    public void setUp() {
        lines = RecordedTurns.turn(RecordedTurns.threadId(1), TURN, DELTAS, ITEMS, 3);
        for (String line : lines) {
            ServerNotification n = TypedCodec.notification((JsonRpcMessage.Notification) ProtocolCodec.decode(line));
            if (n instanceof ServerNotification.Unknown u) {
                throw new IllegalStateException("a benchmark line does not bind: " + u.reason());
            }
            typed.add(n);
            routed.add(Inbound.of(line));
        }
        peer = ReplayingPeer.start(DELTAS, ITEMS);
        codex = Codex.builder().streams(peer.fromServer(), peer.toServer()).build();
        thread = codex.startThread();
    }

    /** Closes client and peer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        codex.close();
        peer.close();
    }

    @Benchmark
    public RunResult foldOnly() {
        BenchFold fold = new BenchFold(TURN);
        for (ServerNotification n : typed) {
            fold.accept(n);
        }
        return check(fold.result());
    }

    @Benchmark
    public RunResult decodeAndFold() {
        BenchFold fold = new BenchFold(TURN);
        for (String line : lines) {
            fold.accept(TypedCodec.notification((JsonRpcMessage.Notification) ProtocolCodec.decode(line)));
        }
        return check(fold.result());
    }

    @Benchmark
    public RunResult consumerFold() {
        BenchFold fold = new BenchFold(TURN);
        for (Inbound in : routed) {
            fold.accept(in);
        }
        return check(fold.result());
    }

    @Benchmark
    public RunResult runOverPipe() {
        return check(thread.turn("go").run());
    }

    private static RunResult check(RunResult r) {
        if (r == null || r.items().size() != ITEMS || r.finalResponse().isEmpty()) {
            throw new IllegalStateException("the fold lost something: " + r);
        }
        return r;
    }
}
