package dev.codex4j.flow;

import dev.codex4j.Codex;
import dev.codex4j.GoalRun;
import dev.codex4j.TurnEvent;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Reactive Streams TCK ({@code Flow} variant) on {@link GoalRun#publisher()}, run through the
 * JUnit Platform's TestNG engine. Each publisher of N elements is a goal run on the scripted fake
 * app-server: {@code thread/goal/set} answers an active goal, then N-1 {@code thread/goal/updated}
 * (still active) and one that completes it (N events, the goal's own updates; no turn runs, so the
 * run ends with the last). A publisher of none is a goal answered complete at once. The failed
 * publisher is a run that already has a reader: its subscriber gets
 * {@code onError(IllegalStateException)}.
 */
public class GoalPublisherTckTest extends FlowPublisherVerification<TurnEvent> {
    private static final long MAX_ELEMENTS = 1_000;

    private FakeAppServer fake;
    private Codex codex;
    private final List<GoalRun> runs = new CopyOnWriteArrayList<>();

    public GoalPublisherTckTest() {
        super(new TestEnvironment(2_000, 200), 2_000);
    }

    private static ObjectNode goal(String threadId, String status) {
        ObjectNode g = JsonNodeFactory.instance.objectNode();
        g.put("threadId", threadId).put("objective", "tck").put("status", status).put("tokensUsed", 0)
                .put("timeUsedSeconds", 0).put("createdAt", 1).put("updatedAt", 1);
        g.putNull("tokenBudget");
        return g;
    }

    @BeforeClass
    public void start() {
        // the objective is the number of events the run has
        fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("thread/goal/set", (req, out) -> {
            int events = Integer.parseInt(req.params().path("objective").asString());
            String threadId = req.params().path("threadId").asString();
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.set("goal", goal(threadId, events == 0 ? "complete" : "active"));
            out.respond(result);
            for (int i = 1; i <= events; i++) {
                ObjectNode p = JsonNodeFactory.instance.objectNode().put("threadId", threadId);
                p.set("goal", goal(threadId, i == events ? "complete" : "active"));
                out.send(AppServerMessages.notification("thread/goal/updated", p));
            }
        }));
        codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).experimentalApi(true).build();
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        runs.forEach(GoalRun::close);
        if (codex != null) {
            codex.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private GoalRun run(long events) {
        GoalRun run = codex.startThread().startGoal(Long.toString(events), null);
        runs.add(run);
        return run;
    }

    @Override
    public Flow.Publisher<TurnEvent> createFlowPublisher(long elements) {
        return run(elements).publisher();
    }

    @Override
    public Flow.Publisher<TurnEvent> createFailedFlowPublisher() {
        GoalRun run = run(1);
        run.events(); // the run's reader: a subscriber of its publisher is refused
        return run.publisher();
    }

    @Override
    public long maxElementsFromPublisher() {
        return MAX_ELEMENTS;
    }
}
