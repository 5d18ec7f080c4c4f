package dev.codex4j;

import dev.codex4j.internal.sdk.ApprovalReplies;
import dev.codex4j.errors.DecodeException;
import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.ServerRequestMethod;
import dev.codex4j.protocol.internal.Codecs;
import dev.codex4j.protocol.methods.ServerRequest;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.ApplyPatchApprovalParams;
import dev.codex4j.protocol.types.CommandExecutionRequestApprovalParams;
import dev.codex4j.protocol.types.DynamicToolCallParams;
import dev.codex4j.protocol.types.ExecCommandApprovalParams;
import dev.codex4j.protocol.types.FileChangeRequestApprovalParams;
import dev.codex4j.protocol.types.McpServerElicitationRequestParams;
import dev.codex4j.protocol.types.PermissionsRequestApprovalParams;
import dev.codex4j.protocol.types.ToolRequestUserInputParams;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A question from Codex that the client must answer before the turn goes on: run this command?
 * apply this change? grant these permissions? Each kind holds the server's typed params (the
 * generated protocol type, every member as sent), a few shortcuts a reviewer needs, and
 * {@link #raw()}, the params as JSON.
 *
 * <p>{@link #availableDecisions()} are the answers this request takes; for a command approval
 * they are the ones the server offered ({@code availableDecisions}), and a decision outside them
 * is never sent (see {@link Decision#refuse()}).
 *
 * <pre>{@code
 * ApprovalHandler handler = request -> switch (request) {
 *     case ApprovalRequest.Command c when "/bin/bash -c 'ls'".equals(c.command()) -> Decision.accept();
 *     case ApprovalRequest.Command c when c.params().proposedExecpolicyAmendment() != null
 *             && trusted(c.params().proposedExecpolicyAmendment()) ->
 *         Decision.acceptWithExecpolicyAmendment(c.params().proposedExecpolicyAmendment());
 *     default -> Decision.refuse();
 * };
 * }</pre>
 */
public sealed interface ApprovalRequest {

    /**
     * The generated server request this approval is a typed view of: its method, thread, turn and
     * params come from there.
     *
     * @return the request, or null for {@link Unknown}
     */
    @Nullable ServerRequest request();

    /** @return the protocol method, for example {@code item/commandExecution/requestApproval} */
    default String method() {
        return Objects.requireNonNull(request()).method();
    }

    /** @return the thread asking, or null when the request names none */
    default @Nullable String threadId() {
        return Objects.requireNonNull(request()).threadId();
    }

    /** @return the turn asking, or null when the request names none */
    default @Nullable String turnId() {
        return Objects.requireNonNull(request()).turnId();
    }

    /** @return the request's params as JSON, every member as sent (the escape hatch) */
    default JsonNode raw() {
        return Objects.requireNonNull(request()).rawParams();
    }

    /**
     * The answers this request takes, as decisions: for a command, those the server offered in
     * the order it gave (a form this SDK does not know becomes a {@link Decision.Raw} that sends
     * it); for the other kinds, each decision that fits the kind. Empty for user input, tool calls
     * and unknown requests, which are answered with {@link Decision#answers},
     * {@link Decision#toolResult} and {@link Decision#raw}.
     *
     * @return the decisions, never null
     */
    default List<Decision> availableDecisions() {
        return ApprovalReplies.available(this);
    }

    /**
     * @param decision a decision
     * @return whether it may answer this request ({@link Decision#refuse()} and
     *     {@link Decision#raw} always may)
     */
    default boolean offers(Decision decision) {
        return ApprovalReplies.problem(this, decision) == null;
    }

    /**
     * Run a command ({@code item/commandExecution/requestApproval}).
     *
     * @param request the generated server request
     */
    record Command(ServerRequest.ItemCommandExecutionRequestApproval request) implements ApprovalRequest {
        /** @param request not null */
        public Command {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public CommandExecutionRequestApprovalParams params() {
            return request.params();
        }

        /** @return the command line as the server will run it ({@code /bin/bash -c '...'}), or null */
        public @Nullable String command() {
            return params().command();
        }

        /** @return its working directory, or null */
        public @Nullable String cwd() {
            return params().cwd();
        }

        /** @return why it needs approval, or null */
        public @Nullable String reason() {
            return params().reason();
        }

        /** @return the command's item */
        public String itemId() {
            return params().itemId();
        }
    }

    /**
     * Apply file changes ({@code item/fileChange/requestApproval}).
     *
     * @param request the generated server request
     */
    record FileChange(ServerRequest.ItemFileChangeRequestApproval request) implements ApprovalRequest {
        /** @param request not null */
        public FileChange {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public FileChangeRequestApprovalParams params() {
            return request.params();
        }

        /** @return why it needs approval, or null */
        public @Nullable String reason() {
            return params().reason();
        }
    }

    /**
     * Grant extra permissions ({@code item/permissions/requestApproval}). {@link Decision#accept()}
     * grants what was asked for the turn, {@link Decision#acceptForSession()} for the session,
     * {@link Decision#decline()} grants nothing, {@link Decision#cancel()} grants nothing and
     * interrupts the turn.
     *
     * @param request the generated server request
     */
    record Permissions(ServerRequest.ItemPermissionsRequestApproval request) implements ApprovalRequest {
        /** @param request not null */
        public Permissions {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public PermissionsRequestApprovalParams params() {
            return request.params();
        }
    }

    /**
     * An MCP server asks the user for input ({@code mcpServer/elicitation/request}): a form, a
     * URL to open, or a verification ({@link McpServerElicitationRequestParams} is a union of
     * these). Accept, decline or cancel; {@link Decision#accept()} sends empty form content.
     *
     * @param request the generated server request
     */
    record McpElicitation(ServerRequest.McpServerElicitationRequest request) implements ApprovalRequest {
        /** @param request not null */
        public McpElicitation {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public McpServerElicitationRequestParams params() {
            return request.params();
        }

        /** @return the MCP server asking, or null */
        public @Nullable String serverName() {
            return ApprovalReplies.text(raw(), "serverName");
        }

        /** @return the message to show, or null */
        public @Nullable String message() {
            return ApprovalReplies.text(raw(), "message");
        }
    }

    /**
     * Questions for the user ({@code item/tool/requestUserInput}, experimental); answer with
     * {@link Decision#answers(java.util.Map)}.
     *
     * @param request the generated server request
     */
    record UserInput(ServerRequest.ItemToolRequestUserInput request) implements ApprovalRequest {
        /** @param request not null */
        public UserInput {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public ToolRequestUserInputParams params() {
            return request.params();
        }
    }

    /**
     * The model calls a client-side dynamic tool ({@code item/tool/call}); answer with
     * {@link Decision#toolResult(boolean, String)}.
     *
     * @param request the generated server request
     */
    record ToolCall(ServerRequest.ItemToolCall request) implements ApprovalRequest {
        /** @param request not null */
        public ToolCall {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public DynamicToolCallParams params() {
            return request.params();
        }
    }

    /**
     * Legacy command approval ({@code execCommandApproval}, for turns started through the legacy
     * API, which this SDK does not use). Answered with the legacy {@code ReviewDecision}s:
     * {@link Decision#decline()} sends {@code {"denied":{"rejection":"rejected by user"}}}. Its
     * thread is the params' {@code conversationId}.
     *
     * @param request the generated server request
     */
    record ExecCommandApproval(ServerRequest.ExecCommandApproval request) implements ApprovalRequest {
        /** @param request not null */
        public ExecCommandApproval {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public ExecCommandApprovalParams params() {
            return request.params();
        }
    }

    /**
     * Legacy file-change approval ({@code applyPatchApproval}, for turns started through the
     * legacy API). Answered with the legacy {@code ReviewDecision}s. Its thread is the params'
     * {@code conversationId}.
     *
     * @param request the generated server request
     */
    record ApplyPatchApproval(ServerRequest.ApplyPatchApproval request) implements ApprovalRequest {
        /** @param request not null */
        public ApplyPatchApproval {
            Objects.requireNonNull(request, "request");
        }

        /** @return the request's params as sent */
        public ApplyPatchApprovalParams params() {
            return request.params();
        }
    }

    /**
     * Any other server request: a method this SDK does not know (newer than it), one that is not
     * an approval ({@code account/chatgptAuthTokens/refresh}, ...), or params that do not bind to
     * the pinned schema. Only {@link Decision#raw} answers it; anything else sends a JSON-RPC
     * error.
     *
     * @param method the protocol method
     * @param raw the request's params
     * @param reason why it is not typed
     */
    record Unknown(String method, JsonNode raw, String reason) implements ApprovalRequest {
        /** All components required. */
        public Unknown {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(raw, "raw");
            Objects.requireNonNull(reason, "reason");
        }

        /** @return null: no generated request holds this one's params */
        @Override
        public @Nullable ServerRequest request() {
            return null;
        }

        @Override
        public @Nullable String threadId() {
            return ApprovalReplies.text(raw, "threadId");
        }

        @Override
        public @Nullable String turnId() {
            return ApprovalReplies.text(raw, "turnId");
        }
    }

    /**
     * The approval request for a server request, bound strictly to the pinned schema (for
     * example to test a handler with recorded params).
     *
     * <pre>{@code
     * ApprovalRequest r = ApprovalRequest.of("item/commandExecution/requestApproval", recordedParams);
     * assertEquals(Decision.accept(), handler.decide(r));
     * }</pre>
     *
     * @param method the server request's method
     * @param params its params
     * @return the typed request, or {@link Unknown} (with the reason) when the method is not an
     *     approval this SDK models or the params do not bind
     */
    static ApprovalRequest of(String method, JsonNode params) {
        return of(TypedCodec.serverRequest(new JsonRpcMessage.Request(RequestId.of(0), method, params)));
    }

    /**
     * @param request a typed server request
     * @return the approval request it is
     */
    static ApprovalRequest of(ServerRequest request) {
        return switch (request) {
            case ServerRequest.ItemCommandExecutionRequestApproval r -> bound(r, new Command(r));
            case ServerRequest.ItemFileChangeRequestApproval r -> bound(r, new FileChange(r));
            case ServerRequest.ItemPermissionsRequestApproval r -> bound(r, new Permissions(r));
            case ServerRequest.McpServerElicitationRequest r -> bound(r, new McpElicitation(r));
            case ServerRequest.ItemToolRequestUserInput r -> bound(r, new UserInput(r));
            case ServerRequest.ItemToolCall r -> bound(r, new ToolCall(r));
            case ServerRequest.ExecCommandApproval r -> bound(r, new ExecCommandApproval(r));
            case ServerRequest.ApplyPatchApproval r -> bound(r, new ApplyPatchApproval(r));
            case ServerRequest.Unknown u -> new Unknown(u.method(), u.raw(), u.reason());
            case ServerRequest.AccountChatgptAuthTokensRefresh r -> notAnApproval(r.method(), r.params());
            case ServerRequest.AttestationGenerate r -> notAnApproval(r.method(), r.params());
        };
    }

    /**
     * Approvals fail closed: a request binds strict at the member (a newer server's changed member
     * costs only that member), but an approval whose params do not bind whole is not offered to a
     * handler as the typed kind, which could approve what it cannot read. It is {@link Unknown},
     * refused unless answered with {@link Decision#raw}.
     */
    private static ApprovalRequest bound(ServerRequest request, ApprovalRequest view) {
        ServerRequestMethod<?, ?> method = Objects.requireNonNull(request.descriptor());
        JsonNode raw = request.rawParams();
        try {
            Codecs.of(method.paramsType()).fromJson(raw);
        } catch (DecodeException e) {
            return new Unknown(request.method(), raw, "params do not bind: $.params" + e.path().substring(1) + ": "
                    + e.problem() + (e.type() != null ? " (in " + e.type() + ")" : ""));
        }
        return view;
    }

    private static ApprovalRequest notAnApproval(String method, Object params) {
        return new Unknown(method, TypedCodec.params(params), "not an approval: answer it with Decision.raw(...)");
    }
}
