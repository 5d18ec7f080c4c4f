package dev.codex4j.spring.boot;

import dev.codex4j.CodexBuilder;

/**
 * A bean that adjusts each {@link CodexBuilder} the starter makes, after the {@code codex.*}
 * properties were applied and before the client is built: whatever the properties do not say
 * (a launch, transport settings, a listener of its own). Called on the thread that creates the
 * client bean.
 *
 * <pre>{@code
 * @Bean CodexBuilderCustomizer model() {
 *     return (endpoint, builder) -> builder.config("model", "'gpt-5'");
 * }
 * }</pre>
 */
@FunctionalInterface
public interface CodexBuilderCustomizer {
    /**
     * @param endpoint the endpoint's name ({@code default} for a single client)
     * @param builder the builder, properties applied
     */
    void customize(String endpoint, CodexBuilder builder);
}
