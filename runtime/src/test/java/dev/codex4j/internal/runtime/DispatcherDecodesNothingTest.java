package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RequestId;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The dispatcher builds no JSON tree for a reply or a server request: it hands the line over and
 * the thread that waits for it decodes it. Checked by what the dispatcher's thread allocates while
 * it routes a line holding 200,000 empty objects: a tree of it costs tens of bytes per object
 * (about 20 times the line), the line's own copy once its size.
 */
@Timeout(60)
class DispatcherDecodesNothingTest {
    private static final int OBJECTS = 200_000;
    /** The dispatcher may allocate this many times the line: its copy, plus the scanner's odds and ends. */
    private static final int MAX_FACTOR = 3;

    private ScriptedPeer peer;
    private Connection connection;
    private com.sun.management.ThreadMXBean threads;
    private Thread dispatcher;

    @BeforeEach
    void open() {
        peer = new ScriptedPeer();
        connection = Connection.open(peer.transport, ConnectionOptions.builder()
                .dispatcherThread(ConnectionOptions.DispatcherThread.PLATFORM).build());
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        dispatcher = connection.liveThreads().stream().filter(t -> t.getName().equals("codex4j-dispatcher"))
                .findFirst().orElseThrow();
    }

    @AfterEach
    void closeAll() throws Exception {
        connection.close();
        peer.close();
        assertEquals(List.of(), connection.liveThreads(), "threads left after close");
    }

    private static String bigArray() {
        StringBuilder sb = new StringBuilder(OBJECTS * 3 + 2).append('[');
        for (int i = 0; i < OBJECTS; i++) {
            sb.append(i == 0 ? "{}" : ",{}");
        }
        return sb.append(']').toString();
    }

    private long allocatedByDispatcher() {
        return threads.getThreadAllocatedBytes(dispatcher.threadId());
    }

    /** Sends a reply of {@code size} bytes and returns what the dispatcher allocated to route it. */
    private long routeReply(String array) throws Exception {
        CompletableFuture<JsonNode> f = connection.request("thread/read", ProtocolCodec.emptyObject());
        RequestId id = peer.nextRequest().id();
        long before = allocatedByDispatcher();
        peer.send("{\"id\":" + id + ",\"result\":{\"items\":" + array + "}}");
        JsonNode result = f.get(30, TimeUnit.SECONDS);
        long allocated = allocatedByDispatcher() - before;
        assertEquals(OBJECTS, result.path("items").size(), "the caller got the whole result");
        return allocated;
    }

    @Test
    void aReplyIsNotDecodedOnTheDispatcher() throws Exception {
        String array = bigArray();
        routeReply(array); // the dispatcher's buffer grows to the line's size once
        long allocated = routeReply(array);
        long line = array.length();
        assertTrue(allocated < MAX_FACTOR * line, "the dispatcher allocated " + allocated + " bytes to route a reply of "
                + line + " bytes: it decoded the reply (a tree) instead of handing the line over");
    }

    @Test
    void aServerRequestIsNotDecodedOnTheDispatcher() throws Exception {
        connection.serverRequestHandler(r -> ProtocolCodec.emptyObject());
        String array = bigArray();
        long line = array.length();
        long allocated = 0;
        for (int i = 0; i < 2; i++) { // the first grows the dispatcher's buffer
            long before = allocatedByDispatcher();
            peer.send("{\"id\":" + (100 + i) + ",\"method\":\"item/tool/requestUserInput\",\"params\":"
                    + "{\"threadId\":\"th\",\"turnId\":\"tu\",\"questions\":" + array + "}}");
            JsonRpcMessage reply = peer.next(Duration.ofSeconds(30));
            allocated = allocatedByDispatcher() - before;
            assertEquals(RequestId.of(100 + i), assertInstanceOf(JsonRpcMessage.Response.class, reply).id());
        }
        assertTrue(allocated < MAX_FACTOR * line, "the dispatcher allocated " + allocated + " bytes to hand over a"
                + " server request of " + line + " bytes: it decoded the request (a tree) on the dispatcher");
    }
}
