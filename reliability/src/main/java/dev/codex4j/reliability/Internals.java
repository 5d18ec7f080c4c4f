package dev.codex4j.reliability;

import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.ConnectionOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The two SDK internals the campaigns read or set, which the public API does not offer on purpose:
 * a client's {@link Connection} (its counters, byte gauges and live threads) and the held-message
 * budgets of {@link ConnectionOptions} (so that the short memory campaign can use small ones). By
 * reflection, on the class path, as the benchmarks do; nothing here is for users.
 *
 * <pre>{@code
 * Connection c = Internals.connection(codex);
 * assertEquals(List.of(), c.liveThreads());
 * }</pre>
 */
public final class Internals {
    private static final Method CONNECTION = method(Codex.class, "connection");
    private static final Method OPTIONS = method(CodexBuilder.class, "connectionOptions", ConnectionOptions.class);

    private Internals() {}

    /** @return the client's connection */
    public static Connection connection(Codex codex) {
        return (Connection) invoke(CONNECTION, codex);
    }

    /** @return the builder, with all of the connection's tuning replaced by {@code options} */
    public static CodexBuilder connectionOptions(CodexBuilder builder, ConnectionOptions options) {
        return (CodexBuilder) invoke(OPTIONS, builder, options);
    }

    private static Method method(Class<?> owner, String name, Class<?>... params) {
        try {
            Method m = owner.getDeclaredMethod(name, params);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("codex4j internals changed: " + owner.getName() + "." + name, e);
        }
    }

    private static Object invoke(Method m, Object target, Object... args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
