package dev.codex4j.spring.boot;

import dev.codex4j.micrometer.CodexMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics of the starter's client ({@link CodexMetrics}, names in
 * docs/OBSERVABILITY.md) when the application has a {@link MeterRegistry} (Spring Boot Actuator).
 * Ordered after the meter registry's auto-configuration of either Boot line, and before
 * {@link CodexAutoConfiguration}, whose client it observes.
 */
@AutoConfiguration(before = CodexAutoConfiguration.class, afterName = {
        // Boot 3.5
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        // Boot 4.0
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, CodexMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnProperty(prefix = "codex", name = "enabled", matchIfMissing = true)
public class CodexMetricsAutoConfiguration {

    /** Creates the auto-configuration (Spring does). */
    public CodexMetricsAutoConfiguration() {}

    /**
     * @param registry the application's registry
     * @return the metrics listener, which the client's auto-configuration registers
     */
    @Bean
    @ConditionalOnMissingBean
    public CodexMetrics codexMetrics(MeterRegistry registry) {
        return new CodexMetrics(registry);
    }
}
