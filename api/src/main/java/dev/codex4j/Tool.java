package dev.codex4j;

import dev.codex4j.protocol.types.DynamicToolSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Java function the model can call: a name, a description, a record type for its arguments
 * and the code to run. Registered on a thread with {@link ThreadOptions.Builder#tool(Tool)} and
 * sent as one of {@code thread/start}'s {@code dynamicTools} (an experimental protocol field: the
 * client needs {@link CodexBuilder#experimentalApi(boolean) experimentalApi(true)}). When the
 * model calls it, the server sends {@code item/tool/call} and the SDK answers it itself: the
 * client's {@link ApprovalHandler} is not asked.
 *
 * <p>The input schema is the record's strict {@link RecordSchema} (the same one structured output
 * uses), and the arguments are bound strictly with it. Arguments that do not match, an exception,
 * or a call that outlasts the tool's timeout (60 s unless {@link #withTimeout(Duration)}) never
 * reach the caller's code as exceptions: the model gets a tool error ({@code success:false}) that
 * says why, and the failure is logged at WARNING by the logger {@code dev.codex4j.Tool}. Each call
 * runs on a virtual thread of its own, so calls run concurrently; a timed-out call's thread is
 * interrupted.
 *
 * <p>The function returns what the model gets: a {@link ToolOutput} as is, a {@code String} as
 * text, {@code null} as an empty text, anything else as its JSON text.
 *
 * <pre>{@code
 * record OrderQuery(String orderId) {}
 * Tool lookup = Tool.of("lookup_order", "Looks an order up by id", OrderQuery.class,
 *         q -> orders.find(q.orderId()));                   // a record, sent as JSON
 * CodexThread thread = codex.startThread(ThreadOptions.builder().tool(lookup).build());
 * }</pre>
 */
public final class Tool {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String name;
    private final String description;
    private final RecordSchema<?> input;
    private final Function<Object> function;
    private final Duration timeout;

    private Tool(String name, String description, RecordSchema<?> input, Function<Object> function, Duration timeout) {
        this.name = name;
        this.description = description;
        this.input = input;
        this.function = function;
        this.timeout = timeout;
    }

    /**
     * The code of a tool.
     *
     * @param <T> the record type of its arguments
     */
    @FunctionalInterface
    public interface Function<T> {
        /**
         * @param input the bound arguments
         * @return a {@link ToolOutput}, a {@code String} (text), or any value Jackson writes as JSON
         * @throws Exception to tell the model the call failed (with the exception's text)
         */
        Object call(T input) throws Exception;
    }

    /**
     * @param name the name the model calls it by: 1 to 64 of {@code A-Z a-z 0-9 _ -}
     * @param description what it does, for the model
     * @param input the record type of its arguments (see {@link RecordSchema#of(Class)})
     * @param function the code to run
     * @param <T> the record type
     * @return the tool, with the default timeout of 60 s
     * @throws IllegalArgumentException for a bad name, or a type without a strict schema
     */
    @SuppressWarnings("unchecked")
    public static <T> Tool of(String name, String description, Class<T> input, Function<? super T> function) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(function, "function");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A tool name is 1 to 64 of A-Z a-z 0-9 _ -, not \"" + name + "\"");
        }
        return new Tool(name, description, RecordSchema.of(input), (Function<Object>) (Function<?>) function,
                DEFAULT_TIMEOUT);
    }

    /**
     * The tools of an object's methods annotated {@link CodexTool}: each a public method with one
     * record parameter. The tool's name is the annotation's, else the method's.
     *
     * <pre>{@code
     * class OrderTools {
     *     @CodexTool(description = "Looks an order up by id")
     *     public Order lookup_order(OrderQuery q) { return orders.find(q.orderId()); }
     * }
     * ThreadOptions options = ThreadOptions.builder().tools(Tool.from(new OrderTools())).build();
     * }</pre>
     *
     * @param target the object whose methods are called
     * @return its tools, by name
     * @throws IllegalArgumentException when it has none, or an annotated method is not public, is
     *     static, or does not take exactly one record
     */
    public static List<Tool> from(Object target) {
        Objects.requireNonNull(target, "target");
        List<Tool> out = new ArrayList<>();
        Method[] methods = target.getClass().getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : target.getClass().getDeclaredMethods()) {
            if (m.isAnnotationPresent(CodexTool.class) && !Modifier.isPublic(m.getModifiers())) {
                throw new IllegalArgumentException("@CodexTool method " + m + " must be public");
            }
        }
        for (Method m : methods) {
            CodexTool a = m.getAnnotation(CodexTool.class);
            if (a == null) {
                continue;
            }
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 1 || !m.getParameterTypes()[0].isRecord()) {
                throw new IllegalArgumentException("@CodexTool method " + m + " must be an instance method with one"
                        + " record parameter (the tool's arguments)");
            }
            if (!m.trySetAccessible()) {
                throw new IllegalArgumentException("@CodexTool method " + m + " is not accessible to codex4j (open its"
                        + " package to module dev.codex4j)");
            }
            Tool t = of(a.name().isEmpty() ? m.getName() : a.name(), a.description(), m.getParameterTypes()[0], arg -> {
                try {
                    return m.invoke(target, arg);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            });
            out.add(a.timeoutSeconds() > 0 ? t.withTimeout(Duration.ofSeconds(a.timeoutSeconds())) : t);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(target.getClass().getName() + " has no public method annotated @CodexTool");
        }
        return List.copyOf(out);
    }

    /**
     * @param timeout how long a call may run before the model gets a timeout error and the call's
     *     thread is interrupted; positive
     * @return this tool with that timeout
     */
    public Tool withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new Tool(name, description, input, function, timeout);
    }

    /** @return the name the model calls it by */
    public String name() {
        return name;
    }

    /** @return the description the model reads */
    public String description() {
        return description;
    }

    /** @return the record type of its arguments */
    public Class<?> inputType() {
        return input.type();
    }

    /** @return how long one call may run */
    public Duration timeout() {
        return timeout;
    }

    /** @return the schema and binder of its arguments */
    RecordSchema<?> input() {
        return input;
    }

    Function<Object> function() {
        return function;
    }

    /** @return what {@code thread/start} sends for it */
    DynamicToolSpec spec() {
        return DynamicToolSpec.Function.builder().name(name).description(description).inputSchema(input.schema()).build();
    }

    @Override
    public String toString() {
        return "Tool[" + name + "(" + input.type().getSimpleName() + "), timeout=" + timeout + "]";
    }
}
