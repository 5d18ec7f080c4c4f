package dev.codex4j.spring.boot;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.CodexClient;
import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexFleet;
import dev.codex4j.micrometer.CodexMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Auto-configures a {@link Codex} from the {@code codex.*} properties ({@link CodexProperties}),
 * or a {@link CodexFleet} when {@code codex.endpoints} lists endpoints, unless the application
 * defines a {@link CodexClient} bean of its own. An {@link ApprovalHandler} or
 * {@link ApprovalInbox} bean answers the server's requests (without one the SDK refuses them);
 * every {@link CodexEventListener} bean (the {@link CodexMetrics} of
 * {@link CodexMetricsAutoConfiguration} among them) observes the client; every
 * {@link CodexBuilderCustomizer} bean adjusts the builder last. A {@link CodexShutdown} shuts the
 * client down gracefully with the context. The same class serves Spring Boot 3.5 and 4.0.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "codex", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(CodexProperties.class)
public class CodexAutoConfiguration {

    /** Creates the auto-configuration (Spring does). */
    public CodexAutoConfiguration() {}

    /**
     * @return the client, started (the app-server child runs, or the connection is open)
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CodexClient.class)
    @Conditional(NoEndpoints.class)
    public Codex codex(CodexProperties properties, ObjectProvider<ApprovalHandler> handler,
            ObjectProvider<ApprovalInbox> inbox, ObjectProvider<CodexEventListener> listeners,
            ObjectProvider<CodexBuilderCustomizer> customizers, ObjectProvider<CodexMetrics> metrics) {
        Codex codex = clients(properties, handler, inbox, listeners, customizers).codex();
        metrics.ifAvailable(m -> m.monitor(codex, "default"));
        return codex;
    }

    /**
     * @return the fleet of the {@code codex.endpoints}, started
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CodexClient.class)
    @Conditional(Endpoints.class)
    public CodexFleet codexFleet(CodexProperties properties, ObjectProvider<ApprovalHandler> handler,
            ObjectProvider<ApprovalInbox> inbox, ObjectProvider<CodexEventListener> listeners,
            ObjectProvider<CodexBuilderCustomizer> customizers, ObjectProvider<CodexMetrics> metrics) {
        CodexFleet fleet = clients(properties, handler, inbox, listeners, customizers).fleet();
        metrics.ifAvailable(m -> m.monitor(fleet));
        return fleet;
    }

    private static CodexClients clients(CodexProperties properties, ObjectProvider<ApprovalHandler> handler,
            ObjectProvider<ApprovalInbox> inbox, ObjectProvider<CodexEventListener> listeners,
            ObjectProvider<CodexBuilderCustomizer> customizers) {
        return new CodexClients(properties, handler.getIfAvailable(), inbox.getIfAvailable(),
                listeners.orderedStream().toList(), customizers.orderedStream().toList());
    }

    /**
     * @return the graceful shutdown of the client (the application's own client too)
     */
    @Bean
    @ConditionalOnBean(CodexClient.class)
    @ConditionalOnMissingBean
    public CodexShutdown codexShutdown(CodexClient client, CodexProperties properties) {
        return new CodexShutdown(client, properties.getShutdown().getGrace());
    }

    /** {@code codex.endpoints} lists some endpoint. */
    static final class Endpoints implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return Binder.get(context.getEnvironment())
                    .bind("codex.endpoints", Bindable.listOf(CodexProperties.Endpoint.class))
                    .map(list -> !list.isEmpty()).orElse(false);
        }
    }

    /** {@code codex.endpoints} lists none. */
    static final class NoEndpoints implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !new Endpoints().matches(context, metadata);
        }
    }
}
