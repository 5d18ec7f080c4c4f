package dev.codex4j;

import dev.codex4j.protocol.types.DynamicToolCallParams;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Code that runs around every call of a thread's {@link Tool}s: before the tool, to let the call
 * through, veto it with a message for the model, or rewrite its arguments; after it, to observe
 * or rewrite what the model gets. Registered on a thread beside its tools with
 * {@link ThreadOptions.Builder#interceptor(ToolInterceptor)}; several run in the order they were
 * registered, each seeing the arguments (before) and the output (after) the previous one left.
 *
 * <p><b>Threads.</b> An interceptor runs on the tool call's own virtual thread
 * ({@code codex4j-tool-<name>}), inside the tool's timeout: a slow interceptor is a slow tool.
 * Calls of one thread may run concurrently, so an interceptor must be thread-safe.
 *
 * <p><b>Fails closed.</b> An interceptor that throws (or returns null) before the call vetoes it;
 * one that throws (or returns null) after the call replaces the output with a failed one
 * ({@code success:false}): the model never gets an output an interceptor did not pass. Rewritten
 * arguments are checked against the tool's schema like the model's own. Every decision an
 * interceptor takes, and every failure, is reported to the client's
 * {@link CodexEventListener#toolCallIntercepted} (and logged at WARNING when it failed).
 *
 * <pre>{@code
 * ToolInterceptor noRefunds = ToolInterceptor.before("no-refunds", call ->
 *         call.arguments().path("amount").asInt() > 100
 *                 ? ToolInterceptor.Before.veto("Refunds over 100 need a human: ask the user to call support.")
 *                 : ToolInterceptor.Before.proceed());
 * ToolInterceptor audit = ToolInterceptor.after("audit", (call, out) -> {
 *     auditLog.record(call.tool(), call.arguments(), out.success());
 *     return out;                                                   // observe only
 * });
 * ThreadOptions options = ThreadOptions.builder().tool(refund).interceptor(noRefunds).interceptor(audit).build();
 * }</pre>
 */
public interface ToolInterceptor {

    /** @return a short name for logs and the listener (by default the class's simple name) */
    default String name() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? getClass().getName() : n;
    }

    /**
     * Runs before the tool, with the arguments as the model (or an earlier interceptor) left them.
     *
     * @param call the call
     * @return {@link Before#proceed()}, {@link Before#veto(String)} or {@link Before#rewrite(JsonNode)}
     * @throws Exception to veto the call (fails closed: the model is told the call was refused)
     */
    default Before before(Call call) throws Exception {
        return Before.proceed();
    }

    /**
     * Runs after the tool (also when it failed, timed out in its own code, or its arguments did
     * not bind; not when an interceptor vetoed it), with the output an earlier interceptor left.
     *
     * @param call the call, with the arguments the tool got
     * @param output what the model would get
     * @return what the model gets: {@code output} itself to observe only, or another output
     * @throws Exception to fail the call (fails closed: the model gets a failed output, not {@code output})
     */
    default ToolOutput after(Call call, ToolOutput output) throws Exception {
        return output;
    }

    /**
     * @param name the interceptor's name
     * @param before its {@link #before(Call)}
     * @return an interceptor that runs only before the tool
     */
    static ToolInterceptor before(String name, BeforeFunction before) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(before, "before");
        return new ToolInterceptor() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Before before(Call call) throws Exception {
                return before.apply(call);
            }
        };
    }

    /**
     * @param name the interceptor's name
     * @param after its {@link #after(Call, ToolOutput)}
     * @return an interceptor that runs only after the tool
     */
    static ToolInterceptor after(String name, AfterFunction after) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(after, "after");
        return new ToolInterceptor() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ToolOutput after(Call call, ToolOutput output) throws Exception {
                return after.apply(call, output);
            }
        };
    }

    /** The code of {@link #before(String, BeforeFunction)}. */
    @FunctionalInterface
    interface BeforeFunction {
        /**
         * @param call the call
         * @return what to do with it
         * @throws Exception to veto it
         */
        Before apply(Call call) throws Exception;
    }

    /** The code of {@link #after(String, AfterFunction)}. */
    @FunctionalInterface
    interface AfterFunction {
        /**
         * @param call the call
         * @param output what the model would get
         * @return what the model gets
         * @throws Exception to fail the call
         */
        ToolOutput apply(Call call, ToolOutput output) throws Exception;
    }

    /**
     * One call of a tool, as an interceptor sees it. Immutable.
     *
     * @param params the server's {@code item/tool/call} params as sent (thread, turn, call id, tool, arguments)
     * @param arguments the arguments now: the model's, or the last rewrite
     */
    record Call(DynamicToolCallParams params, JsonNode arguments) {
        /** Nothing is null. */
        public Call {
            Objects.requireNonNull(params, "params");
            Objects.requireNonNull(arguments, "arguments");
        }

        /** @return the tool's name */
        public String tool() {
            return params.tool();
        }

        /** @return the thread the call belongs to */
        public String threadId() {
            return params.threadId();
        }

        /** @return the turn the call belongs to */
        public String turnId() {
            return params.turnId();
        }

        /** @return the server's id of the call */
        public String callId() {
            return params.callId();
        }
    }

    /** What an interceptor decides before a call. */
    sealed interface Before {
        /** @return let the call through, arguments unchanged */
        static Before proceed() {
            return Proceed.INSTANCE;
        }

        /**
         * @param message what the model is told (the call fails with this text; the tool does not run)
         * @return refuse the call
         */
        static Before veto(String message) {
            return new Veto(message);
        }

        /**
         * @param arguments the arguments the tool gets instead (checked against its schema)
         * @return let the call through with other arguments
         */
        static Before rewrite(JsonNode arguments) {
            return new Rewrite(arguments);
        }

        /** Let the call through. */
        enum Proceed implements Before {
            /** The one value. */
            INSTANCE
        }

        /**
         * Refuse the call: the tool does not run and the model gets a failed output with the message.
         *
         * @param message what the model is told
         */
        record Veto(String message) implements Before {
            /** @param message not null */
            public Veto {
                Objects.requireNonNull(message, "message");
            }
        }

        /**
         * Let the call through with other arguments.
         *
         * @param arguments the new arguments (a JSON object)
         */
        record Rewrite(JsonNode arguments) implements Before {
            /** @param arguments a JSON object */
            public Rewrite {
                Objects.requireNonNull(arguments, "arguments");
                if (!arguments.isObject()) {
                    throw new IllegalArgumentException("Rewritten tool arguments must be a JSON object, not " + arguments);
                }
            }
        }
    }

    /** What an interceptor did, as reported to {@link CodexEventListener#toolCallIntercepted}. */
    enum Action {
        /** Before: let the call through unchanged. */
        PROCEEDED,
        /** Before: refused the call. */
        VETOED,
        /** Before: rewrote the arguments. */
        REWROTE_ARGUMENTS,
        /** After: kept the output as it was. */
        KEPT_OUTPUT,
        /** After: replaced the output. */
        REWROTE_OUTPUT,
        /** Threw or returned null: the call was vetoed (before) or its output failed (after). */
        FAILED
    }
}
