package dev.codex4j.spring.boot;

import dev.codex4j.CodexClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Actuator health indicator of the starter's client: the health component {@code codex}
 * ({@code management.health.codex.enabled=false} turns it off). Spring Boot 4 moved the health
 * API to {@code org.springframework.boot.health.contributor}; each line gets its own indicator,
 * chosen by which API is on the class path: a one-line adapter of {@link CodexHealth}, which
 * computes what both report.
 */
@AutoConfiguration(after = CodexAutoConfiguration.class)
@ConditionalOnBean(CodexClient.class)
@ConditionalOnProperty(prefix = "management.health.codex", name = "enabled", matchIfMissing = true)
public class CodexHealthAutoConfiguration {

    /** Creates the auto-configuration (Spring does). */
    public CodexHealthAutoConfiguration() {}

    /**
     * @param client the client
     * @param properties {@code codex.health.account}
     * @return what the indicators report
     */
    @Bean
    @ConditionalOnMissingBean
    public CodexHealth codexHealth(CodexClient client, CodexProperties properties) {
        return new CodexHealth(client, properties.health().account());
    }

    /** Spring Boot 4.0: {@code org.springframework.boot.health.contributor}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    static class Boot4 {
        @Bean
        @ConditionalOnMissingBean(name = "codexHealthIndicator")
        org.springframework.boot.health.contributor.HealthIndicator codexHealthIndicator(CodexHealth health) {
            return () -> health.read().to(org.springframework.boot.health.contributor.Health::status, org.springframework.boot.health.contributor.Health.Builder::withDetails).build();
        }
    }

    /** Spring Boot 3.5: {@code org.springframework.boot.actuate.health}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.AbstractHealthIndicator")
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass(
            "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    static class Boot3 {
        @Bean
        @ConditionalOnMissingBean(name = "codexHealthIndicator")
        org.springframework.boot.actuate.health.HealthIndicator codexHealthIndicator(CodexHealth health) {
            return () -> health.read().to(org.springframework.boot.actuate.health.Health::status, org.springframework.boot.actuate.health.Health.Builder::withDetails).build();
        }
    }
}
