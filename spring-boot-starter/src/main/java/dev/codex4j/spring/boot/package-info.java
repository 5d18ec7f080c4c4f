/**
 * Spring Boot 3.5 and 4.0 auto-configuration of codex4j: {@link dev.codex4j.spring.boot.CodexAutoConfiguration}
 * (the client from {@code codex.*}), its metrics, health indicator and graceful shutdown.
 */
package dev.codex4j.spring.boot;
