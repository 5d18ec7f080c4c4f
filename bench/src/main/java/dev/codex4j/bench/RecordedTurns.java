package dev.codex4j.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.ProtocolCodec;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Notification lines shaped like the app-server's recorded output (codex 0.169.0, see
 * /work/shared/transcripts): the same methods, members, member order and id formats, with
 * generated text. One turn is {@code turn/started}, then per item {@code item/started}, the
 * item's {@code item/agentMessage/delta}s (agent messages only) and {@code item/completed}, then
 * {@code thread/tokenUsage/updated} and {@code turn/completed}.
 *
 * <p>Items alternate: the user's message first, then agent messages (about 0.8 KB each when
 * completed, commentary and a final answer) and command executions (about 3 KB of output each),
 * so that by count the mix is 96% deltas (about 220 bytes each) and by bytes about a sixth is
 * completed items (2.3 KB on average); a turn of 1,000 deltas and 20 items is about 280 KB.
 *
 * <pre>{@code
 * List<String> turn = RecordedTurns.turn(RecordedTurns.threadId(0), RecordedTurns.turnId(0), 1_000, 20, 42);
 * }</pre>
 */
public final class RecordedTurns {
    private static final String[] WORDS = {"the", "parser", "reads", "a", "line", "and", "routes", "it", "to",
        "its", "turn;", "then", "consumer", "folds", "each", "delta", "into", "result.", "Hello", "from", "mock",
        "model!", "We", "checked", "tests", "pass", "in", "module", "with", "no", "changes", "needed."};
    private static final long EPOCH_MS = 1_795_527_996_841L;

    private RecordedTurns() {}

    /** @return a thread id in the server's format (a UUIDv7) */
    public static String threadId(int n) {
        return "01a20dce-f563-75b3-93fc-" + String.format("%012x", n);
    }

    /** @return a turn id in the server's format (a UUIDv7) */
    public static String turnId(long n) {
        return "01a20dce-f571-7893-8e83-" + String.format("%012x", n);
    }

    /**
     * Lines of one turn, in the order the server sends them.
     *
     * @param deltas how many {@code item/agentMessage/delta} notifications
     * @param completedItems how many {@code item/completed} notifications (at least 2: the user's
     *     message and a final answer)
     * @param seed the seed of the generated text
     * @return {@code deltas + 2 * completedItems + 3} lines
     */
    public static List<String> turn(String threadId, String turnId, int deltas, int completedItems, long seed) {
        if (completedItems < 2 || deltas < 0) {
            throw new IllegalArgumentException("need at least 2 items and no negative deltas");
        }
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(deltas + 2 * completedItems + 3);
        long t = EPOCH_MS;
        out.add(notification("turn/started", turnStarted(threadId, turnId), t));
        int agentMessages = 0;
        for (int i = 1; i < completedItems; i++) {
            agentMessages += kind(i, completedItems) == 'a' ? 1 : 0;
        }
        int deltasLeft = deltas;
        int agentLeft = agentMessages;
        ObjectNode finalAnswer = null;
        for (int i = 0; i < completedItems; i++) {
            char kind = kind(i, completedItems);
            String itemId = kind == 'u' ? "01a20dce-f58e-7fc2-8d48-" + String.format("%012x", i)
                    : (kind == 'a' ? "msg_" : "call_") + String.format("%016x", random.nextLong());
            t += 1;
            ObjectNode item;
            switch (kind) {
                case 'u' -> item = userMessage(itemId, t);
                case 'c' -> item = commandExecution(itemId, t, random);
                default -> {
                    int mine = deltasLeft / agentLeft;
                    deltasLeft -= mine;
                    agentLeft--;
                    item = agentMessage(itemId, t, agentLeft == 0 ? "final_answer" : "commentary");
                    out.add(itemNotification("item/started", threadId, turnId, started(item), t));
                    StringBuilder text = new StringBuilder();
                    for (int d = 0; d < mine; d++) {
                        String delta = WORDS[random.nextInt(WORDS.length)] + " "
                                + (random.nextInt(3) == 0 ? WORDS[random.nextInt(WORDS.length)] + " " : "");
                        text.append(delta);
                        ObjectNode p = ProtocolCodec.mapper().createObjectNode();
                        p.put("threadId", threadId);
                        p.put("turnId", turnId);
                        p.put("itemId", itemId);
                        p.put("delta", delta);
                        out.add(notification("item/agentMessage/delta", p, t));
                    }
                    item.put("text", text.toString());
                    item.put("completedAtMs", t + 1);
                    out.add(itemNotification("item/completed", threadId, turnId, item, t + 1));
                    if (agentLeft == 0) {
                        finalAnswer = item;
                    }
                    continue;
                }
            }
            out.add(itemNotification("item/started", threadId, turnId, started(item), t));
            out.add(itemNotification("item/completed", threadId, turnId, item, t));
        }
        out.add(notification("thread/tokenUsage/updated", tokenUsage(threadId, turnId, deltas), t));
        out.add(notification("turn/completed", turnCompleted(threadId, turnId, finalAnswer), t + 1));
        return out;
    }

    /** u = the user's message (first), a = agent message (the last item always), c = command. */
    private static char kind(int i, int count) {
        if (i == 0) {
            return 'u';
        }
        if (i == count - 1) {
            return 'a';
        }
        return i % 2 == 1 ? 'a' : 'c';
    }

    /** @return the lines of several turns interleaved one line at a time, as concurrent turns arrive */
    public static List<String> interleave(List<List<String>> turns) {
        return interleave(turns, 1);
    }

    /**
     * @param run how many consecutive lines of one turn before the next turn's (the model's
     *     stream arrives in packets, so a busy server sends runs of one turn's deltas)
     * @return the lines of several turns, interleaved in runs
     */
    public static List<String> interleave(List<List<String>> turns, int run) {
        List<String> out = new ArrayList<>();
        int max = turns.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < max; i += run) {
            for (List<String> turn : turns) {
                for (int j = i; j < Math.min(i + run, turn.size()); j++) {
                    out.add(turn.get(j));
                }
            }
        }
        return out;
    }

    /** @return the lines as JSONL bytes, each ended by {@code \n} */
    public static byte[] jsonl(List<String> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes(line.getBytes(UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static String notification(String method, ObjectNode params, long emittedAtMs) {
        ObjectNode n = ProtocolCodec.mapper().createObjectNode();
        n.put("method", method);
        n.set("params", params);
        n.put("emittedAtMs", emittedAtMs);
        return n.toString();
    }

    private static String itemNotification(String method, String threadId, String turnId, ObjectNode item, long t) {
        ObjectNode p = ProtocolCodec.mapper().createObjectNode();
        p.set("item", item);
        p.put("threadId", threadId);
        p.put("turnId", turnId);
        if (method.equals("item/completed")) {
            p.putNull("contentTokenCount");
            p.put("completedAtMs", t);
        } else {
            p.put("startedAtMs", t);
        }
        return notification(method, p, t);
    }

    private static ObjectNode started(ObjectNode item) {
        ObjectNode s = item.deepCopy();
        s.putNull("completedAtMs");
        if (s.has("text")) {
            s.put("text", "");
        }
        if (s.has("aggregatedOutput")) {
            s.putNull("aggregatedOutput");
            s.putNull("exitCode");
            s.put("status", "inProgress");
        }
        return s;
    }

    private static ObjectNode userMessage(String id, long t) {
        ObjectNode item = ProtocolCodec.mapper().createObjectNode();
        item.put("type", "userMessage");
        item.put("id", id);
        item.putNull("clientId");
        ArrayNode content = item.putArray("content");
        ObjectNode text = content.addObject();
        text.put("type", "text");
        text.put("text", "Refactor the parser so that it streams, and run the tests");
        text.putArray("text_elements");
        item.put("startedAtMs", t);
        item.put("completedAtMs", t);
        return item;
    }

    private static ObjectNode agentMessage(String id, long t, String phase) {
        ObjectNode item = ProtocolCodec.mapper().createObjectNode();
        item.put("type", "agentMessage");
        item.putNull("moderation");
        item.put("id", id);
        item.put("text", "");
        item.put("phase", phase);
        item.putNull("memoryCitation");
        item.putNull("delivery");
        item.putNull("questions");
        item.put("startedAtMs", t);
        item.put("completedAtMs", t);
        return item;
    }

    private static ObjectNode commandExecution(String id, long t, Random random) {
        ObjectNode item = ProtocolCodec.mapper().createObjectNode();
        item.put("type", "commandExecution");
        item.put("id", id);
        item.putNull("pluginId");
        item.putNull("scriptPath");
        item.put("command", "/bin/bash -c 'ls -la src/main/java/dev/codex4j && git status --short'");
        item.put("cwd", "/home/dev/workspace");
        item.put("processId", Integer.toString(20_000 + random.nextInt(10_000)));
        item.put("source", "unifiedExecStartup");
        item.put("status", "completed");
        ArrayNode actions = item.putArray("commandActions");
        ObjectNode action = actions.addObject();
        action.put("type", "unknown");
        action.put("command", "ls -la src/main/java/dev/codex4j && git status --short");
        StringBuilder output = new StringBuilder();
        while (output.length() < 3_000) {
            output.append("-rw-r--r-- 1 dev dev ").append(1_000 + random.nextInt(90_000)).append(" Nov 24 15:01 ")
                    .append(WORDS[random.nextInt(WORDS.length)].replaceAll("[^A-Za-z]", "")).append("Parser.java\n");
        }
        item.put("aggregatedOutput", output.toString());
        item.put("exitCode", 0);
        item.put("durationMs", 12);
        item.put("startedAtMs", t);
        item.put("completedAtMs", t);
        return item;
    }

    private static ObjectNode turnStarted(String threadId, String turnId) {
        ObjectNode p = ProtocolCodec.mapper().createObjectNode();
        p.put("threadId", threadId);
        ObjectNode turn = p.putObject("turn");
        turn.put("id", turnId);
        turn.put("rootTurnId", turnId);
        turn.putArray("items");
        turn.put("itemsView", "notLoaded");
        turn.put("status", "inProgress");
        turn.putNull("error");
        turn.put("startedAt", EPOCH_MS / 1000);
        turn.putNull("completedAt");
        turn.putNull("durationMs");
        return p;
    }

    private static ObjectNode tokenUsage(String threadId, String turnId, int outputTokens) {
        ObjectNode p = ProtocolCodec.mapper().createObjectNode();
        p.put("threadId", threadId);
        p.put("turnId", turnId);
        ObjectNode usage = p.putObject("tokenUsage");
        for (String which : new String[] {"total", "last"}) {
            ObjectNode u = usage.putObject(which);
            u.put("totalTokens", 4_232 + outputTokens);
            u.put("inputTokens", 4_232);
            u.put("cachedInputTokens", 2_116);
            u.put("cacheWriteInputTokens", 0);
            u.put("outputTokens", outputTokens);
            u.put("reasoningOutputTokens", 0);
        }
        usage.put("modelContextWindow", 258_400);
        return p;
    }

    private static ObjectNode turnCompleted(String threadId, String turnId, ObjectNode finalAnswer) {
        ObjectNode p = ProtocolCodec.mapper().createObjectNode();
        p.put("threadId", threadId);
        ObjectNode turn = p.putObject("turn");
        turn.put("id", turnId);
        turn.put("rootTurnId", turnId);
        turn.putArray("items").add(finalAnswer);
        turn.put("itemsView", "summary");
        turn.put("status", "completed");
        turn.putNull("error");
        turn.put("startedAt", EPOCH_MS / 1000);
        turn.put("completedAt", EPOCH_MS / 1000 + 1);
        turn.put("durationMs", 62);
        return p;
    }
}
