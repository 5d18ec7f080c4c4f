/**
 * OpenTelemetry traces for codex4j: {@link dev.codex4j.opentelemetry.CodexTelemetry}.
 */
package dev.codex4j.opentelemetry;
