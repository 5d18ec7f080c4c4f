package dev.codex4j.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.codex4j.Codex;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.ThreadReadParams;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.FakeAppServerProcess;
import dev.codex4j.testkit.ScriptStep;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/**
 * Request round trips through the public API: {@code requests} typed {@code thread/read} calls
 * ({@code codex.request(ClientMethods.THREAD_READ, params)}, a 1.3 KB reply bound to
 * {@link ThreadReadResponse}) against testkit's fake app-server in a child process, from
 * {@code concurrency} virtual threads at once (each sends its share one after the other). Reports
 * this JVM's CPU per round trip (and by kind of thread: the dispatcher's share is what issue 22's
 * "no tree on the dispatcher" moves), the fake's, and the latency of a call (p50, p99, max) at
 * microsecond resolution. Every reply is checked (its thread id).
 *
 * <p>Uses only the public API, so the same class measures an older codex4j side by side
 * ({@code scripts/perf-figures --figures=5}).
 *
 * <pre>{@code
 * java -cp ... dev.codex4j.bench.RoundTrips --requests=10000 --concurrency=100 [--warmups=2]
 * }</pre>
 */
public final class RoundTrips {
    private static final String THREAD_ID = "th-bench";

    private RoundTrips() {}

    /** @param args {@code --requests=N --concurrency=N --warmups=N} */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                a.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
        }
        int requests = Integer.parseInt(a.getOrDefault("requests", "10000"));
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "1"));
        int warmups = Integer.parseInt(a.getOrDefault("warmups", "2"));
        System.out.printf(Locale.ROOT, "codex4j round trips: %d cores, Java %s, load average %.2f%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ObjectNode reply = dev.codex4j.protocol.ProtocolCodec.emptyObject();
        reply.set("thread", AppServerMessages.thread(THREAD_ID, "/tmp/bench"));
        FakeAppServer.Script script = FakeAppServer.script().concurrentHandlers()
                .onRequest("thread/read", ScriptStep.respond(reply));
        try (FakeAppServerProcess fake = FakeAppServer.childProcess(script);
                Codex codex = Codex.builder().launch(fake.launch()).build()) {
            for (int i = 0; i < warmups; i++) {
                rounds(codex, requests, concurrency);
            }
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadCpu threadsBefore = ThreadCpu.snapshot();
            long cpu0 = os.getProcessCpuTime();
            long fake0 = childrenCpu();
            long start = System.nanoTime();
            long[] latencies = rounds(codex, requests, concurrency);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = os.getProcessCpuTime() - cpu0;
            long fakeCpu = childrenCpu() - fake0;
            ThreadCpu byThread = ThreadCpu.snapshot().minus(threadsBefore);
            Arrays.sort(latencies);
            System.out.printf(Locale.ROOT,
                    "round trips: %,d x thread/read, %d at a time: %.2f s (%,.0f/s); CPU per round trip: ours %.1f us,"
                            + " fake %.1f us; latency p50 %d us, p99 %d us, max %d us%n    ours by thread: %s%n",
                    requests, concurrency, seconds, requests / seconds, cpu / 1e3 / requests, fakeCpu / 1e3 / requests,
                    latencies[latencies.length / 2] / 1000, latencies[(int) (latencies.length * 0.99)] / 1000,
                    latencies[latencies.length - 1] / 1000, byThread.describe(cpu, requests));
        }
    }

    /** @return each call's latency in nanoseconds */
    private static long[] rounds(Codex codex, int requests, int concurrency) throws InterruptedException {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        ThreadReadParams params = ThreadReadParams.builder().threadId(THREAD_ID).build();
        List<Thread> callers = new ArrayList<>(concurrency);
        for (int c = 0; c < concurrency; c++) {
            callers.add(Thread.ofVirtual().start(() -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                    long t0 = System.nanoTime();
                    ThreadReadResponse r = codex.request(ClientMethods.THREAD_READ, params);
                    latencies[i] = System.nanoTime() - t0;
                    if (!THREAD_ID.equals(r.thread().id())) {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : callers) {
            t.join();
        }
        if (wrong.get() > 0) {
            throw new IllegalStateException(wrong.get() + " replies named another thread");
        }
        return latencies;
    }

    private static long childrenCpu() {
        long total = 0;
        for (ProcessHandle h : ProcessHandle.current().children().toList()) {
            total += LoadHarness.Procfs.treeCpuNanos(h);
        }
        return total;
    }
}
