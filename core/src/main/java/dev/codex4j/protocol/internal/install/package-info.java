/**
 * The installer of the Codex CLI's native binary from the npm registry, without Node.js. Not
 * exported; not API: {@code CodexCli} calls it, and {@code scripts/install-codex} runs
 * {@code CliInstaller.java} with the {@code java} source launcher.
 */
package dev.codex4j.protocol.internal.install;
