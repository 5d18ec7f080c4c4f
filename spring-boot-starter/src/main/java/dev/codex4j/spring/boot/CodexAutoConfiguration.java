package dev.codex4j.spring.boot;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.CodexClient;
import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexFleet;
import dev.codex4j.DnsEndpoints;
import dev.codex4j.micrometer.CodexMetrics;
import java.net.URI;
import java.util.function.Supplier;
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
 * or a {@link CodexFleet} when {@code codex.endpoints} lists endpoints or {@code codex.dns.name} names
 * them (a {@link DnsEndpoints.Resolver} bean, if any, resolves it), unless the application defines a
 * {@link CodexClient} bean of its own. An {@link ApprovalHandler} or
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
    /** Makes the client's builders, from the beans as they are when the client bean is made. */
    private final Supplier<CodexClients> clients;
    private final ObjectProvider<CodexMetrics> metrics;

    /**
     * Creates the auto-configuration (Spring does); the beans it takes are looked up when the client is made.
     *
     * @param properties the {@code codex.*} properties
     * @param handler the approval handler, if any
     * @param inbox the approval inbox, if any
     * @param listeners the event listeners
     * @param customizers the builder customizers
     * @param resolver the resolver of {@code codex.dns.name}, if any (else the JDK's)
     * @param metrics the metrics, if any
     */
    public CodexAutoConfiguration(CodexProperties properties, ObjectProvider<ApprovalHandler> handler,
            ObjectProvider<ApprovalInbox> inbox, ObjectProvider<CodexEventListener> listeners,
            ObjectProvider<CodexBuilderCustomizer> customizers, ObjectProvider<DnsEndpoints.Resolver> resolver,
            ObjectProvider<CodexMetrics> metrics) {
        this.clients = () -> new CodexClients(properties, handler.getIfAvailable(), inbox.getIfAvailable(),
                listeners.orderedStream().toList(), customizers.orderedStream().toList(), resolver.getIfAvailable());
        this.metrics = metrics;
    }

    /**
     * @return the client, started (the app-server child runs, or the connection is open)
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CodexClient.class)
    @Conditional(NoFleet.class)
    public Codex codex() {
        Codex codex = clients.get().codex();
        metrics.ifAvailable(m -> m.monitor(codex, "default"));
        return codex;
    }

    /**
     * @return the fleet of the {@code codex.endpoints} or of {@code codex.dns.name}, started
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(CodexClient.class)
    @Conditional(Fleet.class)
    public CodexFleet codexFleet() {
        CodexFleet fleet = clients.get().fleet();
        metrics.ifAvailable(m -> m.monitor(fleet));
        return fleet;
    }

    /**
     * @param client the client (the application's own too)
     * @param properties {@code codex.shutdown.grace}
     * @return the graceful shutdown of the client
     */
    @Bean
    @ConditionalOnBean(CodexClient.class)
    @ConditionalOnMissingBean
    public CodexShutdown codexShutdown(CodexClient client, CodexProperties properties) {
        return new CodexShutdown(client, properties.shutdown().grace());
    }

    /** {@code codex.endpoints} lists some endpoint, or {@code codex.dns.name} is set. */
    static final class Fleet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            return binder.bind("codex.endpoints", Bindable.listOf(CodexProperties.Endpoint.class))
                    .map(list -> !list.isEmpty()).orElse(false)
                    || binder.bind("codex.dns.name", URI.class).isBound();
        }
    }

    /** Neither. */
    static final class NoFleet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !new Fleet().matches(context, metadata);
        }
    }
}
