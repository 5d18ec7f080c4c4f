package dev.codex4j.testkit;

import dev.codex4j.protocol.CodexCli;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Realistic app-server messages, shaped like the recordings of Codex CLI 0.169.0, for
 * {@link FakeAppServer} scripts. Notification factories return the whole message
 * ({@code {"method":..,"params":..}}); {@code emittedAtMs} is added when it is sent. Any string
 * argument may be a script placeholder such as {@code "${threadId}"}.
 *
 * <pre>{@code
 * FakeAppServer.script().onRequest("turn/start",
 *         ScriptStep.send(AppServerMessages.turnCompleted("${threadId}", "${turnId}", "completed")),
 *         ScriptStep.respond(AppServerMessages.turnStartResult("${turnId}")));
 * }</pre>
 */
public final class AppServerMessages {
    private AppServerMessages() {}

    /** @return a notification message with the given params */
    public static ObjectNode notification(String method, JsonNode params) {
        ObjectNode n = Json.object().put("method", method);
        n.set("params", params);
        return n;
    }

    /**
     * @param clientName the client's name
     * @return the {@code initialize} result the real server gives a client with this name, reporting
     *     the pinned CLI version ({@code CodexCli.pinnedVersion()})
     */
    public static ObjectNode initializeResult(String clientName) {
        return initializeResult(clientName, CodexCli.pinnedVersion());
    }

    /**
     * @param clientName the client's name
     * @param version the CLI version the server reports in its user agent, e.g. {@code 0.172.0}
     * @return the {@code initialize} result of a server of that version
     */
    public static ObjectNode initializeResult(String clientName, String version) {
        return Json.object().put("userAgent", clientName + "/" + version + " (codex4j FakeAppServer)")
                .put("codexHome", "/fake/codex-home").put("platformFamily", "unix").put("platformOs", "linux");
    }

    /** @return a thread object, idle, without turns */
    public static ObjectNode thread(String threadId, String cwd) {
        ObjectNode t = Json.object().put("id", threadId);
        t.putArray("environments").addObject().put("environmentId", "local").put("cwd", cwd)
                .putArray("runtimeWorkspaceRoots").add(cwd);
        t.putNull("extra");
        t.put("sessionId", threadId).putNull("forkedFromId");
        t.putNull("attachedToThreadId").putNull("parentThreadId");
        t.put("preview", "").put("ephemeral", false).putNull("section").putNull("sectionEnteredAt").putNull("projectId")
                .put("historyMode", "paginated").put("modelProvider", "mock").put("model", "mock-model")
                .putNull("reasoningEffort");
        t.put("createdAt", 1795527996L).put("updatedAt", 1795527996L).put("recencyAt", 1795527996L);
        t.putObject("status").put("type", "idle");
        t.put("path", "/fake/codex-home/sessions/rollout-" + threadId + ".jsonl").put("cwd", cwd)
                .put("cliVersion", CodexCli.pinnedVersion()).put("originator", "codex4j").put("source", "vscode")
                .put("canAcceptDirectInput", true).putNull("threadSource").putNull("agentNickname").putNull("agentRole")
                .putNull("gitInfo").putNull("name").putNull("daybreakEnabled");
        t.putArray("turns");
        return t;
    }

    /** @return the {@code thread/start} (or {@code thread/resume}, {@code thread/fork}) result */
    public static ObjectNode threadStartResult(String threadId, String cwd) {
        ObjectNode r = Json.object();
        r.set("thread", thread(threadId, cwd));
        r.put("model", "mock-model").put("modelProvider", "mock").putNull("serviceTier");
        r.putArray("disabledPluginIds");
        r.put("cwd", cwd);
        r.putArray("runtimeWorkspaceRoots").add(cwd);
        r.putArray("instructionSources");
        r.put("approvalPolicy", "never").put("approvalsReviewer", "user");
        r.putObject("sandbox").put("type", "dangerFullAccess");
        r.putNull("activePermissionProfile").putNull("reasoningEffort").put("multiAgentMode", "explicitRequestOnly");
        return r;
    }

    /** @return a turn object with the given status, no items */
    public static ObjectNode turn(String turnId, String status) {
        ObjectNode t = Json.object().put("id", turnId).put("rootTurnId", turnId);
        t.putArray("items");
        t.put("itemsView", "notLoaded").put("status", status).putNull("error");
        t.putNull("startedAt");
        t.putNull("completedAt");
        t.putNull("durationMs");
        return t;
    }

    /** @return the {@code turn/start} result: the turn, {@code inProgress} */
    public static ObjectNode turnStartResult(String turnId) {
        ObjectNode r = Json.object();
        r.set("turn", turn(turnId, "inProgress"));
        return r;
    }

    /** @return {@code thread/started} */
    public static ObjectNode threadStarted(String threadId, String cwd) {
        ObjectNode p = Json.object();
        p.set("thread", thread(threadId, cwd));
        return notification("thread/started", p);
    }

    /** @return {@code thread/status/changed} to active or idle */
    public static ObjectNode threadStatusChanged(String threadId, boolean active) {
        ObjectNode p = Json.object().put("threadId", threadId);
        ObjectNode status = p.putObject("status").put("type", active ? "active" : "idle");
        if (active) {
            status.putArray("activeFlags");
        }
        return notification("thread/status/changed", p);
    }

    /** @return {@code turn/started} */
    public static ObjectNode turnStarted(String threadId, String turnId) {
        ObjectNode p = Json.object().put("threadId", threadId);
        p.set("turn", turn(turnId, "inProgress"));
        return notification("turn/started", p);
    }

    /**
     * @param status {@code completed}, {@code interrupted} or {@code failed}
     * @return {@code turn/completed}, the terminal event of a turn
     */
    public static ObjectNode turnCompleted(String threadId, String turnId, String status) {
        ObjectNode p = Json.object().put("threadId", threadId);
        ObjectNode t = turn(turnId, status);
        t.put("itemsView", "summary");
        p.set("turn", t);
        return notification("turn/completed", p);
    }

    /** @return {@code turn/completed} with status {@code failed} and the given error */
    public static ObjectNode turnFailed(String threadId, String turnId, String message, String codexErrorInfo) {
        ObjectNode n = turnCompleted(threadId, turnId, "failed");
        ((ObjectNode) n.get("params").get("turn")).set("error", errorInfo(message, codexErrorInfo));
        return n;
    }

    /** @return the {@code error} notification that precedes a failed turn (or a retry) */
    public static ObjectNode error(String threadId, String turnId, String message, String codexErrorInfo,
            boolean willRetry) {
        ObjectNode p = Json.object();
        p.set("error", errorInfo(message, codexErrorInfo));
        p.put("willRetry", willRetry).put("threadId", threadId).put("turnId", turnId);
        return notification("error", p);
    }

    private static ObjectNode errorInfo(String message, String codexErrorInfo) {
        return Json.object().put("message", message).put("codexErrorInfo", codexErrorInfo)
                .putNull("additionalDetails").putNull("misalignment");
    }

    /** {@code item/started} or {@code item/completed} with the item's and the event's timestamps, as the server writes them. */
    private static ObjectNode itemEvent(String method, String threadId, String turnId, ObjectNode item) {
        long now = System.currentTimeMillis();
        boolean started = method.equals("item/started");
        item.put("startedAtMs", now);
        if (started) {
            item.putNull("completedAtMs");
        } else {
            item.put("completedAtMs", now);
        }
        ObjectNode p = Json.object();
        p.set("item", item);
        p.put("threadId", threadId).put("turnId", turnId);
        if (started) {
            p.put("startedAtMs", now);
        } else {
            p.putNull("contentTokenCount").put("completedAtMs", now);
        }
        return notification(method, p);
    }

    private static ObjectNode userMessage(String itemId, String text) {
        ObjectNode item = Json.object().put("type", "userMessage").put("id", itemId);
        item.putNull("clientId");
        item.putArray("content").addObject().put("type", "text").put("text", text).putArray("text_elements");
        return item;
    }

    /** @return {@code item/started} of the user's message */
    public static ObjectNode userMessageStarted(String threadId, String turnId, String itemId, String text) {
        return itemEvent("item/started", threadId, turnId, userMessage(itemId, text));
    }

    /** @return {@code item/completed} of the user's message */
    public static ObjectNode userMessageCompleted(String threadId, String turnId, String itemId, String text) {
        return itemEvent("item/completed", threadId, turnId, userMessage(itemId, text));
    }

    private static ObjectNode agentMessage(String itemId, String text, @Nullable String phase) {
        ObjectNode item = Json.object().put("type", "agentMessage").putNull("moderation");
        item.put("id", itemId).put("text", text);
        if (phase == null) {
            item.putNull("phase");
        } else {
            item.put("phase", phase);
        }
        item.putNull("memoryCitation").putNull("delivery").putNull("questions");
        return item;
    }

    /** @return {@code item/started} of an agent message (empty text) */
    public static ObjectNode agentMessageStarted(String threadId, String turnId, String itemId, @Nullable String phase) {
        return itemEvent("item/started", threadId, turnId, agentMessage(itemId, "", phase));
    }

    /** @return {@code item/agentMessage/delta} */
    public static ObjectNode agentMessageDelta(String threadId, String turnId, String itemId, String delta) {
        return notification("item/agentMessage/delta", Json.object().put("threadId", threadId)
                .put("turnId", turnId).put("itemId", itemId).put("delta", delta));
    }

    /** @return {@code item/completed} of an agent message */
    public static ObjectNode agentMessageCompleted(String threadId, String turnId, String itemId, String text,
            @Nullable String phase) {
        return itemEvent("item/completed", threadId, turnId, agentMessage(itemId, text, phase));
    }

    /** @return {@code thread/tokenUsage/updated} with small counts */
    public static ObjectNode tokenUsageUpdated(String threadId, String turnId) {
        ObjectNode usage = Json.object().put("totalTokens", 110).put("inputTokens", 100).put("cachedInputTokens", 0)
                .put("cacheWriteInputTokens", 0).put("outputTokens", 10).put("reasoningOutputTokens", 0);
        ObjectNode p = Json.object().put("threadId", threadId).put("turnId", turnId);
        ObjectNode tu = p.putObject("tokenUsage");
        tu.set("total", usage);
        tu.set("last", usage.deepCopy());
        tu.put("modelContextWindow", 258400);
        return notification("thread/tokenUsage/updated", p);
    }

    /** @return {@code account/rateLimits/updated} (no thread id, like the real one) */
    public static ObjectNode rateLimitsUpdated() {
        ObjectNode rl = Json.object().put("limitId", "codex");
        for (String k : List.of("limitName", "normalModelSlug", "primary", "secondary", "credits", "individualLimit",
                "spendControlReached", "planType", "rateLimitReachedType")) {
            rl.putNull(k);
        }
        ObjectNode p = Json.object();
        p.set("rateLimits", rl);
        return notification("account/rateLimits/updated", p);
    }

    /** @return {@code remoteControl/status/changed}, sent unprompted after {@code initialize} */
    public static ObjectNode remoteControlStatusChanged() {
        return notification("remoteControl/status/changed", Json.object().put("status", "disabled")
                .put("serverName", "fake").put("installationId", "00000000-0000-0000-0000-000000000000")
                .putNull("environmentId"));
    }

    /** @return params of {@code item/commandExecution/requestApproval} for a command */
    public static ObjectNode commandApprovalParams(String threadId, String turnId, String itemId, String command,
            String reason) {
        ObjectNode p = Json.object().put("kind", "command").put("threadId", threadId).put("turnId", turnId)
                .put("itemId", itemId).put("startedAtMs", System.currentTimeMillis()).put("environmentId", "local")
                .put("reason", reason)
                .put("command", command).put("cwd", "/fake/work");
        p.putArray("commandActions").addObject().put("type", "unknown").put("command", command);
        p.putNull("proposedExecpolicyAmendment");
        p.putArray("availableDecisions").add("accept").add("decline").add("cancel");
        return p;
    }

    /** @return {@code serverRequest/resolved} */
    public static ObjectNode serverRequestResolved(String threadId, JsonNode requestId) {
        ObjectNode p = Json.object().put("threadId", threadId);
        p.set("requestId", requestId);
        return notification("serverRequest/resolved", p);
    }

    /**
     * The notifications of a simple turn in the real order: status active, {@code turn/started},
     * the user message, an agent message ({@code final_answer}) streamed word by word, token usage,
     * rate limits, status idle, {@code turn/completed}.
     *
     * @return the messages, to send in order
     */
    public static List<ObjectNode> simpleTurn(String threadId, String turnId, String userText, String answer) {
        List<ObjectNode> out = new ArrayList<>();
        String userItem = turnId + "-user";
        String agentItem = "msg_" + turnId;
        out.add(threadStatusChanged(threadId, true));
        out.add(turnStarted(threadId, turnId));
        out.add(userMessageStarted(threadId, turnId, userItem, userText));
        out.add(userMessageCompleted(threadId, turnId, userItem, userText));
        out.add(agentMessageStarted(threadId, turnId, agentItem, "final_answer"));
        for (String d : ModelReply.split(answer, 0)) {
            out.add(agentMessageDelta(threadId, turnId, agentItem, d));
        }
        out.add(agentMessageCompleted(threadId, turnId, agentItem, answer, "final_answer"));
        out.add(tokenUsageUpdated(threadId, turnId));
        out.add(rateLimitsUpdated());
        out.add(threadStatusChanged(threadId, false));
        ObjectNode completed = turnCompleted(threadId, turnId, "completed");
        ((ObjectNode) completed.get("params").get("turn")).withArray("items")
                .add(agentMessage(agentItem, answer, "final_answer").put("startedAtMs", System.currentTimeMillis())
                        .put("completedAtMs", System.currentTimeMillis()));
        out.add(completed);
        return out;
    }
}
