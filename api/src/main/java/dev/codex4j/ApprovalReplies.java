package dev.codex4j;

import dev.codex4j.protocol.RpcError;
import dev.codex4j.internal.runtime.ServerRequestException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Turns a {@link Decision} into the result object each server request expects. */
final class ApprovalReplies {
    private ApprovalReplies() {}

    static JsonNode result(ApprovalRequest request, Decision decision) {
        if (decision instanceof Decision.Raw raw) {
            return raw.result();
        }
        ObjectNode r = Params.object();
        switch (request) {
            case ApprovalRequest.Command c when c.method().equals("execCommandApproval") ->
                    r.put("decision", legacy(decision, request));
            case ApprovalRequest.FileChange f when f.method().equals("applyPatchApproval") ->
                    r.put("decision", legacy(decision, request));
            case ApprovalRequest.Command c -> r.put("decision", simple(decision, request));
            case ApprovalRequest.FileChange f -> r.put("decision", simple(decision, request));
            case ApprovalRequest.Permissions p -> {
                switch (decision) {
                    case Decision.Accept a -> {
                        r.set("permissions", p.permissions().deepCopy());
                        r.put("scope", "turn");
                    }
                    case Decision.AcceptForSession a -> {
                        r.set("permissions", p.permissions().deepCopy());
                        r.put("scope", "session");
                    }
                    case Decision.Decline d -> r.putObject("permissions");
                    case Decision.Cancel d -> r.putObject("permissions");
                    default -> throw misfit(request, decision);
                }
            }
            case ApprovalRequest.McpElicitation m -> {
                switch (decision) {
                    case Decision.Accept a -> {
                        r.put("action", "accept");
                        r.putObject("content");
                    }
                    case Decision.Decline d -> r.put("action", "decline");
                    case Decision.Cancel d -> r.put("action", "cancel");
                    default -> throw misfit(request, decision);
                }
            }
            case ApprovalRequest.UserInput u -> {
                if (!(decision instanceof Decision.Answers a)) {
                    throw misfit(request, decision);
                }
                ObjectNode answers = r.putObject("answers");
                a.answers().forEach((id, list) -> {
                    ArrayNode arr = answers.putObject(id).putArray("answers");
                    list.forEach(arr::add);
                });
            }
            case ApprovalRequest.ToolCall t -> {
                if (!(decision instanceof Decision.ToolResult tr)) {
                    throw misfit(request, decision);
                }
                r.put("success", tr.success());
                ObjectNode item = r.putArray("contentItems").addObject();
                item.put("type", "inputText");
                item.put("text", tr.text());
            }
            case ApprovalRequest.Unknown u -> throw new ServerRequestException(RpcError.METHOD_NOT_FOUND,
                    "codex4j has no typed reply for server request " + u.method() + "; answer it with Decision.raw(...)");
        }
        return r;
    }

    private static String simple(Decision decision, ApprovalRequest request) {
        return switch (decision) {
            case Decision.Accept a -> "accept";
            case Decision.AcceptForSession a -> "acceptForSession";
            case Decision.Decline d -> "decline";
            case Decision.Cancel c -> "cancel";
            default -> throw misfit(request, decision);
        };
    }

    private static String legacy(Decision decision, ApprovalRequest request) {
        return switch (decision) {
            case Decision.Accept a -> "approved";
            case Decision.AcceptForSession a -> "approved_for_session";
            case Decision.Decline d -> "denied";
            case Decision.Cancel c -> "abort";
            default -> throw misfit(request, decision);
        };
    }

    private static ServerRequestException misfit(ApprovalRequest request, Decision decision) {
        return new ServerRequestException(RpcError.INVALID_PARAMS,
                decision + " is not an answer to " + request.method());
    }
}
