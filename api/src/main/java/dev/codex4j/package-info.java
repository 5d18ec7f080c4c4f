/** The public codex4j SDK: {@code Codex}, {@code CodexThread}, {@code TurnHandle}, {@code RunResult}. */
package dev.codex4j;
