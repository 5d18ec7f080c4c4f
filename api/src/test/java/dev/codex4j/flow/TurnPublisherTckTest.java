package dev.codex4j.flow;

import dev.codex4j.Codex;
import dev.codex4j.CodexThread;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnHandle;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK ({@code Flow} variant) on {@link TurnHandle#publisher()}, run through
 * the JUnit Platform's TestNG engine. Each publisher of N elements is a real turn of the scripted
 * fake app-server: N-1 {@code item/agentMessage/delta} notifications and {@code turn/completed}
 * (N events: N-1 deltas and {@link TurnEvent.Completed}). The failed publisher is a turn that
 * already has a consumer: its subscriber gets {@code onError(TurnHasConsumerException)}.
 */
public class TurnPublisherTckTest extends FlowPublisherVerification<TurnEvent> {
    /** The longest turn the TCK gets: the tests that need more (up to Long.MAX_VALUE) are skipped. */
    private static final long MAX_ELEMENTS = 1_000;

    private FakeAppServer fake;
    private Codex codex;

    public TurnPublisherTckTest() {
        super(new TestEnvironment(2_000, 200), 2_000);
    }

    @BeforeClass
    public void start() {
        // turn/start's text is the number of deltas to write.
        fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            int deltas = Integer.parseInt(req.params().path("input").path(0).path("text").asString());
            String threadId = out.var("threadId");
            String turnId = out.var("turnId");
            out.respond(AppServerMessages.turnStartResult(turnId));
            for (int i = 0; i < deltas; i++) {
                out.send(AppServerMessages.agentMessageDelta(threadId, turnId, "msg-" + turnId, "d" + i));
            }
            out.send(AppServerMessages.turnCompleted(threadId, turnId, "completed"));
        }));
        codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build();
    }

    @AfterClass(alwaysRun = true)
    public void stop() {
        if (codex != null) {
            codex.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private TurnHandle turn(long deltas) {
        CodexThread thread = codex.startThread();
        return thread.turn(Long.toString(deltas));
    }

    @Override
    public Flow.Publisher<TurnEvent> createFlowPublisher(long elements) {
        if (elements == 0) {
            // A turn already consumed to its end: its publisher completes at once, without events.
            TurnHandle consumed = turn(0);
            consumed.run();
            return consumed.publisher();
        }
        return turn(elements - 1).publisher();
    }

    @Override
    public Flow.Publisher<TurnEvent> createFailedFlowPublisher() {
        TurnHandle turn = turn(0);
        turn.events(); // the turn's consumer: a subscriber of its publisher is refused
        return turn.publisher();
    }

    @Override
    public long maxElementsFromPublisher() {
        return MAX_ELEMENTS;
    }
}
