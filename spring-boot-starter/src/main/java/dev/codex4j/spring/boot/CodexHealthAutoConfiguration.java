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
 * chosen by which API is on the class path.
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
        return new CodexHealth(client, properties.getHealth().isAccount());
    }

    /** Spring Boot 4.0: {@code org.springframework.boot.health.contributor}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
    static class Boot4 {
        @Bean
        @ConditionalOnMissingBean(name = "codexHealthIndicator")
        dev.codex4j.spring.boot.boot4.CodexHealthIndicator codexHealthIndicator(CodexHealth health) {
            return new dev.codex4j.spring.boot.boot4.CodexHealthIndicator(health);
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
        dev.codex4j.spring.boot.boot3.CodexHealthIndicator codexHealthIndicator(CodexHealth health) {
            return new dev.codex4j.spring.boot.boot3.CodexHealthIndicator(health);
        }
    }
}
