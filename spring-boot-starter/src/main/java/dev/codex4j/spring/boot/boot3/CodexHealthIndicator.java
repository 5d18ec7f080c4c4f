package dev.codex4j.spring.boot.boot3;

import dev.codex4j.spring.boot.CodexHealth;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The Actuator health indicator of the starter's client on Spring Boot 3 (the health component
 * {@code codex}): see {@link CodexHealth} for what it reports.
 */
public final class CodexHealthIndicator extends AbstractHealthIndicator {
    private final CodexHealth health;

    /** @param health what to report */
    public CodexHealthIndicator(CodexHealth health) {
        super("codex4j health check failed");
        this.health = health;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        CodexHealth.Reading r = health.read();
        builder.status(r.status()).withDetails(r.details());
    }
}
