package dev.codex4j.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RoutingKeys;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import dev.codex4j.internal.runtime.Inbound;
import dev.codex4j.internal.runtime.StreamTransport;
import dev.codex4j.internal.runtime.TurnMailbox;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Routing throughput against the parsing limit, in notification lines per second, over the same
 * in-memory JSONL stream: {@value #TURNS} concurrent turns of {@value #DELTAS} deltas and
 * {@value #ITEMS} completed items each, interleaved line by line or in runs (see {@link #run}).
 *
 * <ul>
 *   <li>{@code sdkConnectionToFold}: the real pipeline. A {@link Connection} over a
 *       {@link StreamTransport} reads the stream (UTF-8 decoding, line framing), its dispatcher
 *       reads each line's routing keys and hands it to its turn's {@link TurnMailbox}; one
 *       virtual-thread consumer per turn decodes every message and folds it with the SDK's own
 *       fold, until {@code turn/completed}. Includes opening and closing the connection.
 *   <li>{@code limitJacksonTokens}: Jackson's streaming parser over the same bytes, reading every
 *       token and nothing else (strings are scanned, never materialised): the physical limit.
 *   <li>{@code limitJacksonTokensAndStrings}: the same, also materialising every string value.
 *   <li>{@code stageReadLines}, {@code stageRoutingKeys}, {@code stageDecode}: single-threaded
 *       stages of the pipeline, to see where its time goes.
 * </ul>
 *
 * <pre>{@code
 * scripts/bench RoutingBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {
    static final int TURNS = 16;
    static final int DELTAS = 1_000;
    static final int ITEMS = 20;
    /** Lines in the stream: per turn, deltas + 2 per item + turn/started, tokenUsage, turn/completed. */
    static final int LINES = TURNS * (DELTAS + 2 * ITEMS + 3);

    /**
     * How the turns' lines interleave: {@code 1}, one line of each turn in turn (the worst case
     * for hand-offs: every message goes to a different consumer); {@code 64}, runs of 64 lines of
     * one turn, as a model's stream arrives in packets.
     */
    @Param({"1", "64"})
    public int run;

    private final List<String> threadIds = new ArrayList<>();
    private final List<String> turnIds = new ArrayList<>();
    private List<String> lines = List.of();
    private byte[] stream = new byte[0];
    private List<byte[]> lineBytes = List.of();
    private final dev.codex4j.protocol.internal.LineScanner scanner = dev.codex4j.protocol.internal.LineScanner.forReader();
    private final dev.codex4j.protocol.internal.LineScanner plainScanner = new dev.codex4j.protocol.internal.LineScanner();
    private ConnectionOptions options = ConnectionOptions.defaults();

    /** Builds the stream. */
    @Setup
    public void setUp() {
        List<List<String>> turns = new ArrayList<>();
        for (int i = 0; i < TURNS; i++) {
            threadIds.add(RecordedTurns.threadId(i));
            turnIds.add(RecordedTurns.turnId(i));
            turns.add(RecordedTurns.turn(threadIds.get(i), turnIds.get(i), DELTAS, ITEMS, i));
        }
        lines = RecordedTurns.interleave(turns, run);
        if (lines.size() != LINES) {
            throw new IllegalStateException("expected " + LINES + " lines, built " + lines.size());
        }
        stream = RecordedTurns.jsonl(lines);
        lineBytes = lines.stream().map(l -> l.getBytes(UTF_8)).toList();
        // A consumer may attach after the dispatcher has read its whole turn: let it all be held.
        options = ConnectionOptions.builder().maxHeldBytesPerTurn(1L << 30).maxHeldBytesTotal(1L << 30).build();
    }

    /** @return the stream's size in bytes (for a bytes-per-second reading of the scores) */
    public int streamBytes() {
        return stream.length;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int sdkConnectionToFold() throws Exception {
        AtomicInteger delivered = new AtomicInteger();
        List<Thread> consumers = new ArrayList<>(TURNS);
        try (Connection connection = Connection.open(
                new StreamTransport(new HeldOpenInputStream(stream), OutputStream.nullOutputStream()), options)) {
            for (int i = 0; i < TURNS; i++) {
                TurnMailbox box = connection.turnMailbox(threadIds.get(i), turnIds.get(i));
                consumers.add(Thread.ofVirtual().start(() -> consume(box, delivered)));
            }
            for (Thread t : consumers) {
                t.join();
            }
        }
        int n = delivered.get();
        if (n != LINES) {
            throw new IllegalStateException("delivered " + n + " of " + LINES + " notifications");
        }
        return n;
    }

    private static void consume(TurnMailbox box, AtomicInteger delivered) {
        BenchFold fold = new BenchFold(box.turnId());
        int n = 0;
        try (box) {
            Inbound in;
            do {
                in = box.take(Duration.ofSeconds(30));
                if (in == null) {
                    throw new IllegalStateException("turn " + box.turnId() + " stalled after " + n);
                }
                n++;
            } while (!fold.accept(in));
            if (fold.result() == null) {
                throw new IllegalStateException("no result for " + box.turnId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            delivered.addAndGet(n);
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public long limitJacksonTokens() {
        long tokens = 0;
        try (JsonParser p = ProtocolCodec.mapper().createParser(stream)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void limitJacksonTokensAndStrings(Blackhole bh) {
        try (JsonParser p = ProtocolCodec.mapper().createParser(stream)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.VALUE_STRING || t == JsonToken.PROPERTY_NAME) {
                    bh.consume(p.getString());
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void stageReadLines(Blackhole bh) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(stream), UTF_8),
                1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                bh.consume(line);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void stageRoutingKeys(Blackhole bh) {
        for (String line : lines) {
            bh.consume(RoutingKeys.read(line));
        }
    }

    /** The byte scanner without its string cache, for comparison. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public void stageScanBytesUncached(Blackhole bh) {
        for (byte[] line : lineBytes) {
            plainScanner.scan(line, 0, line.length);
            bh.consume(plainScanner.turnId());
            bh.consume(plainScanner.plainDelta());
        }
    }

    /** The dispatcher's own pass: its scanner over each line's bytes, with its string cache. */
    @Benchmark
    @OperationsPerInvocation(LINES)
    public void stageScanBytes(Blackhole bh) {
        for (byte[] line : lineBytes) {
            scanner.scan(line, 0, line.length);
            bh.consume(scanner.turnId());
            bh.consume(scanner.plainDelta());
        }
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void stageDecode(Blackhole bh) {
        for (String line : lines) {
            bh.consume(ProtocolCodec.decode(line));
        }
    }
}
