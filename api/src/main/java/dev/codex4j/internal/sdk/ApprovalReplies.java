package dev.codex4j.internal.sdk;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Decision;
import dev.codex4j.internal.runtime.ServerRequestException;
import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.RpcError;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.AcceptWithExecpolicyAmendmentAcceptWithExecpolicyAmendment;
import dev.codex4j.protocol.types.ApplyNetworkPolicyAmendmentApplyNetworkPolicyAmendment;
import dev.codex4j.protocol.types.ApplyPatchApprovalResponse;
import dev.codex4j.protocol.types.ApprovedExecpolicyAmendmentApprovedExecpolicyAmendment;
import dev.codex4j.protocol.types.CommandExecutionApprovalDecision;
import dev.codex4j.protocol.types.CommandExecutionRequestApprovalResponse;
import dev.codex4j.protocol.types.DeniedDenied;
import dev.codex4j.protocol.types.DynamicToolCallOutputContentItem;
import dev.codex4j.protocol.types.DynamicToolCallResponse;
import dev.codex4j.protocol.types.ExecCommandApprovalResponse;
import dev.codex4j.protocol.types.FileChangeApprovalDecision;
import dev.codex4j.protocol.types.FileChangeRequestApprovalResponse;
import dev.codex4j.protocol.types.GrantedPermissionProfile;
import dev.codex4j.protocol.types.McpServerElicitationAction;
import dev.codex4j.protocol.types.McpServerElicitationRequestParams;
import dev.codex4j.protocol.types.McpServerElicitationRequestResponse;
import dev.codex4j.protocol.types.NetworkPolicyAmendmentNetworkPolicyAmendment;
import dev.codex4j.protocol.types.PermissionGrantScope;
import dev.codex4j.protocol.types.PermissionsRequestApprovalResponse;
import dev.codex4j.protocol.types.RequestPermissionProfile;
import dev.codex4j.protocol.types.ReviewDecision;
import dev.codex4j.protocol.types.ToolRequestUserInputAnswer;
import dev.codex4j.protocol.types.ToolRequestUserInputResponse;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a {@link Decision} into the generated response type each server request expects, after
 * checking that the request takes it (for a command: that the server offered it), and resolves
 * {@link Decision#refuse()} to the safest decision the request offers.
 */
public final class ApprovalReplies {
    private static final System.Logger LOG = System.getLogger(ApprovalHandler.class.getName());
    /** What the legacy {@code denied} decision tells the model (Codex's own text for a user's rejection). */
    public static final String LEGACY_REJECTION = "rejected by user";

    private static final List<Decision> COMMON = List.of(Decision.accept(), Decision.acceptForSession(),
            Decision.decline(), Decision.cancel());
    private static final List<Decision> ELICITATION = List.of(Decision.accept(), Decision.decline(), Decision.cancel());

    private ApprovalReplies() {}

    /**
     * Asks the handler and returns the reply's result. A handler that throws, returns null, or
     * returns a decision the request does not take is logged at WARNING and the request is
     * answered with {@link Decision#refuse()}. A cancelled permissions request interrupts its turn
     * through {@code interruptTurn} (thread id, turn id) before the reply is sent.
     *
     * @throws ServerRequestException when the refusal is a JSON-RPC error reply
     * @throws InterruptedException when the handler was interrupted (the client is closing)
     */
    public static JsonNode answer(ApprovalRequest request, ApprovalHandler handler, BiConsumer<String, String> interruptTurn)
            throws InterruptedException {
        Decision decision;
        try {
            decision = handler.decide(request);
            if (decision == null) {
                throw new IllegalArgumentException("the approval handler returned null");
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            warn(request, e);
            decision = Decision.refuse();
        }
        JsonNode result;
        try {
            result = result(request, decision);
        } catch (ServerRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            warn(request, e);
            decision = Decision.refuse();
            result = result(request, decision);
        }
        // A refusal that is an error reply (user input, tool calls, unknown requests) is no failure:
        // its ServerRequestException goes to the runtime, which answers with it.
        if (request instanceof ApprovalRequest.Permissions p && resolve(request, decision) instanceof Decision.Cancel) {
            interruptTurn.accept(p.threadId(), p.turnId());
        }
        return result;
    }

    private static void warn(ApprovalRequest request, Exception e) {
        LOG.log(Level.WARNING, () -> "Answering server request " + request.method() + " with Decision.refuse()"
                + " (fails closed): " + e);
    }

    /** The reply's result; see {@link ApprovalRequest#availableDecisions()} for what fits. */
    public static JsonNode result(ApprovalRequest request, Decision decision) {
        if (decision instanceof Decision.Raw raw) {
            return raw.result();
        }
        Decision d = resolve(request, decision);
        if (d == null) {
            int code = request instanceof ApprovalRequest.Unknown ? RpcError.METHOD_NOT_FOUND : RpcError.INTERNAL_ERROR;
            throw new ServerRequestException(code, "codex4j refuses " + request.method()
                    + ": no handler answered it (the default fails closed)"
                    + (request instanceof ApprovalRequest.Unknown u ? "; " + u.reason() : ""));
        }
        String problem = problem(request, d);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return TypedCodec.params(response(request, d));
    }

    /** {@link Decision.Refuse} as the request's safest decision (null: an error reply); anything else as is. */
    public static @Nullable Decision resolve(ApprovalRequest request, Decision decision) {
        if (!(decision instanceof Decision.Refuse)) {
            return decision;
        }
        return switch (request) {
            case ApprovalRequest.Command c -> {
                List<Decision> offered = available(c);
                yield offered.contains(Decision.decline()) ? Decision.decline()
                        : offered.contains(Decision.cancel()) ? Decision.cancel() : null;
            }
            case ApprovalRequest.UserInput u -> null;
            case ApprovalRequest.ToolCall t -> null;
            case ApprovalRequest.Unknown u -> null;
            default -> Decision.decline();
        };
    }

    /** Why the decision cannot answer the request, or null when it can. */
    public static @Nullable String problem(ApprovalRequest request, Decision decision) {
        if (decision instanceof Decision.Raw || decision instanceof Decision.Refuse) {
            return null;
        }
        boolean fits = switch (request) {
            case ApprovalRequest.Command c -> c.params().availableDecisions() == null
                    ? isCommandDecision(decision) : available(c).contains(decision);
            case ApprovalRequest.ExecCommandApproval e -> isCommandDecision(decision);
            case ApprovalRequest.FileChange f -> COMMON.contains(decision);
            case ApprovalRequest.ApplyPatchApproval a -> COMMON.contains(decision);
            case ApprovalRequest.Permissions p -> COMMON.contains(decision);
            case ApprovalRequest.McpElicitation m -> ELICITATION.contains(decision);
            case ApprovalRequest.UserInput u -> decision instanceof Decision.Answers;
            case ApprovalRequest.ToolCall t -> decision instanceof Decision.ToolResult;
            case ApprovalRequest.Unknown u -> false;
        };
        if (fits) {
            return null;
        }
        List<Decision> available = available(request);
        return describe(decision) + " is not an answer to " + request.method()
                + (request instanceof ApprovalRequest.Command c && c.params().availableDecisions() != null
                        ? ": the server offered " : ", which takes ")
                + (available.isEmpty() ? expected(request) : available.stream().map(ApprovalReplies::describe)
                        .collect(Collectors.joining(", ")))
                + "; Decision.refuse() answers with the safest of them";
    }

    private static String expected(ApprovalRequest request) {
        return switch (request) {
            case ApprovalRequest.UserInput u -> "Decision.answers(...)";
            case ApprovalRequest.ToolCall t -> "Decision.toolResult(...)";
            default -> "only Decision.raw(...)";
        };
    }

    private static boolean isCommandDecision(Decision d) {
        return COMMON.contains(d) || d instanceof Decision.AcceptWithExecpolicyAmendment
                || d instanceof Decision.ApplyNetworkPolicyAmendment;
    }

    /** See {@link ApprovalRequest#availableDecisions()}. */
    public static List<Decision> available(ApprovalRequest request) {
        return switch (request) {
            case ApprovalRequest.Command c -> commandDecisions(c);
            case ApprovalRequest.ExecCommandApproval e -> COMMON;
            case ApprovalRequest.FileChange f -> COMMON;
            case ApprovalRequest.ApplyPatchApproval a -> COMMON;
            case ApprovalRequest.Permissions p -> COMMON;
            case ApprovalRequest.McpElicitation m -> ELICITATION;
            case ApprovalRequest.UserInput u -> List.of();
            case ApprovalRequest.ToolCall t -> List.of();
            case ApprovalRequest.Unknown u -> List.of();
        };
    }

    private static List<Decision> commandDecisions(ApprovalRequest.Command c) {
        List<CommandExecutionApprovalDecision> offered = c.params().availableDecisions();
        List<Decision> out = new ArrayList<>();
        if (offered == null) {
            // The server restricts nothing: every kind fits; the proposed amendments are listed.
            out.addAll(COMMON);
            List<String> prefix = c.params().proposedExecpolicyAmendment();
            if (prefix != null) {
                out.add(Decision.acceptWithExecpolicyAmendment(prefix));
            }
            var network = c.params().proposedNetworkPolicyAmendments();
            if (network != null) {
                network.forEach(a -> out.add(Decision.applyNetworkPolicyAmendment(a)));
            }
            return List.copyOf(out);
        }
        for (CommandExecutionApprovalDecision d : offered) {
            out.add(switch (d) {
                case CommandExecutionApprovalDecision.Value v -> switch (v.known()) {
                    case ACCEPT -> Decision.accept();
                    case ACCEPT_FOR_SESSION -> Decision.acceptForSession();
                    case DECLINE -> Decision.decline();
                    case CANCEL -> Decision.cancel();
                    case _UNKNOWN -> rawDecision(TypedCodec.params(v));
                };
                case CommandExecutionApprovalDecision.AcceptWithExecpolicyAmendment a ->
                        Decision.acceptWithExecpolicyAmendment(a.acceptWithExecpolicyAmendment().execpolicyAmendment());
                case CommandExecutionApprovalDecision.ApplyNetworkPolicyAmendment a ->
                        Decision.applyNetworkPolicyAmendment(a.applyNetworkPolicyAmendment().networkPolicyAmendment());
                case CommandExecutionApprovalDecision.Unknown u -> rawDecision(u.raw());
            });
        }
        return List.copyOf(out);
    }

    private static Decision rawDecision(JsonNode decision) {
        ObjectNode r = ProtocolCodec.emptyObject();
        r.set("decision", decision);
        return Decision.raw(r);
    }

    /** The generated response for a decision that fits (checked by the caller). */
    private static Object response(ApprovalRequest request, Decision d) {
        return switch (request) {
            case ApprovalRequest.Command c -> CommandExecutionRequestApprovalResponse.builder()
                    .decision(commandDecision(d)).build();
            case ApprovalRequest.FileChange f -> FileChangeRequestApprovalResponse.builder()
                    .decision(switch (d) {
                        case Decision.Accept a -> FileChangeApprovalDecision.ACCEPT;
                        case Decision.AcceptForSession a -> FileChangeApprovalDecision.ACCEPT_FOR_SESSION;
                        case Decision.Decline x -> FileChangeApprovalDecision.DECLINE;
                        default -> FileChangeApprovalDecision.CANCEL;
                    }).build();
            case ApprovalRequest.ExecCommandApproval e -> ExecCommandApprovalResponse.builder()
                    .decision(reviewDecision(d)).build();
            case ApprovalRequest.ApplyPatchApproval a -> ApplyPatchApprovalResponse.builder()
                    .decision(reviewDecision(d)).build();
            case ApprovalRequest.Permissions p -> {
                var b = PermissionsRequestApprovalResponse.builder();
                switch (d) {
                    case Decision.Accept a -> b.permissions(granted(p.params().permissions())).scope(PermissionGrantScope.TURN);
                    case Decision.AcceptForSession a ->
                            b.permissions(granted(p.params().permissions())).scope(PermissionGrantScope.SESSION);
                    default -> b.permissions(GrantedPermissionProfile.builder().build());
                }
                yield b.build();
            }
            case ApprovalRequest.McpElicitation m -> {
                var b = McpServerElicitationRequestResponse.builder();
                switch (d) {
                    case Decision.Accept a -> {
                        b.action(McpServerElicitationAction.ACCEPT);
                        if (m.params() instanceof McpServerElicitationRequestParams.Form
                                || m.params() instanceof McpServerElicitationRequestParams.OpenaiForm) {
                            b.content(ProtocolCodec.emptyObject());
                        }
                    }
                    case Decision.Decline x -> b.action(McpServerElicitationAction.DECLINE);
                    default -> b.action(McpServerElicitationAction.CANCEL);
                }
                yield b.build();
            }
            case ApprovalRequest.UserInput u -> {
                Map<String, ToolRequestUserInputAnswer> answers = new LinkedHashMap<>();
                ((Decision.Answers) d).answers().forEach((id, list) ->
                        answers.put(id, ToolRequestUserInputAnswer.builder().answers(list).build()));
                yield ToolRequestUserInputResponse.builder().answers(answers).build();
            }
            case ApprovalRequest.ToolCall t -> {
                Decision.ToolResult r = (Decision.ToolResult) d;
                yield DynamicToolCallResponse.builder().success(r.success()).contentItems(List.of(
                        DynamicToolCallOutputContentItem.InputText.builder().text(r.text()).build())).build();
            }
            case ApprovalRequest.Unknown u -> throw new IllegalStateException("unreachable: " + u.method());
        };
    }

    private static CommandExecutionApprovalDecision commandDecision(Decision d) {
        return switch (d) {
            case Decision.Accept a -> CommandExecutionApprovalDecision.ACCEPT;
            case Decision.AcceptForSession a -> CommandExecutionApprovalDecision.ACCEPT_FOR_SESSION;
            case Decision.Decline x -> CommandExecutionApprovalDecision.DECLINE;
            case Decision.Cancel x -> CommandExecutionApprovalDecision.CANCEL;
            case Decision.AcceptWithExecpolicyAmendment a -> CommandExecutionApprovalDecision.AcceptWithExecpolicyAmendment
                    .builder().acceptWithExecpolicyAmendment(AcceptWithExecpolicyAmendmentAcceptWithExecpolicyAmendment
                            .builder().execpolicyAmendment(a.execpolicyAmendment()).build()).build();
            case Decision.ApplyNetworkPolicyAmendment a -> CommandExecutionApprovalDecision.ApplyNetworkPolicyAmendment
                    .builder().applyNetworkPolicyAmendment(ApplyNetworkPolicyAmendmentApplyNetworkPolicyAmendment
                            .builder().networkPolicyAmendment(a.amendment()).build()).build();
            default -> throw new IllegalStateException("unreachable: " + d);
        };
    }

    /** The legacy answers: {@code approved}, {@code approved_for_session}, {@code {"denied":{...}}}, {@code abort}, amendments. */
    private static ReviewDecision reviewDecision(Decision d) {
        return switch (d) {
            case Decision.Accept a -> ReviewDecision.APPROVED;
            case Decision.AcceptForSession a -> ReviewDecision.APPROVED_FOR_SESSION;
            case Decision.Decline x -> ReviewDecision.Denied.builder().denied(
                    DeniedDenied.builder().rejection(LEGACY_REJECTION).build()).build();
            case Decision.Cancel x -> ReviewDecision.ABORT;
            case Decision.AcceptWithExecpolicyAmendment a -> ReviewDecision.ApprovedExecpolicyAmendment.builder()
                    .approvedExecpolicyAmendment(ApprovedExecpolicyAmendmentApprovedExecpolicyAmendment.builder()
                            .proposedExecpolicyAmendment(a.execpolicyAmendment()).build()).build();
            case Decision.ApplyNetworkPolicyAmendment a -> ReviewDecision.NetworkPolicyAmendment.builder()
                    .networkPolicyAmendment(NetworkPolicyAmendmentNetworkPolicyAmendment.builder()
                            .networkPolicyAmendment(a.amendment()).build()).build();
            default -> throw new IllegalStateException("unreachable: " + d);
        };
    }

    /** Grants exactly what was requested, member for member as sent (the two profiles have the same members). */
    private static GrantedPermissionProfile granted(RequestPermissionProfile requested) {
        return ProtocolCodec.mapper().treeToValue(TypedCodec.params(requested), GrantedPermissionProfile.class);
    }

    public static String describe(Decision d) {
        return switch (d) {
            case Decision.Accept a -> "accept";
            case Decision.AcceptForSession a -> "acceptForSession";
            case Decision.Decline a -> "decline";
            case Decision.Cancel a -> "cancel";
            case Decision.Refuse a -> "refuse";
            case Decision.AcceptWithExecpolicyAmendment a -> "acceptWithExecpolicyAmendment" + a.execpolicyAmendment();
            case Decision.ApplyNetworkPolicyAmendment a -> "applyNetworkPolicyAmendment(" + a.amendment().action().value()
                    + " " + a.amendment().host() + ")";
            case Decision.Answers a -> "answers";
            case Decision.ToolResult t -> "toolResult";
            case Decision.Raw r -> "raw " + r.result();
        };
    }

    public static @Nullable String text(JsonNode node, String name) {
        JsonNode n = node.get(name);
        return n != null && n.isString() ? n.asString() : null;
    }
}
