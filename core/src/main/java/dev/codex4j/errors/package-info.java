/**
 * Every exception codex4j throws, all unchecked, all under {@link dev.codex4j.errors.CodexException}:
 * errors the server sent ({@link dev.codex4j.errors.CodexRpcException} and its kinds), the link
 * ({@link dev.codex4j.errors.TransportClosedException}, {@link dev.codex4j.errors.ServerLostException}),
 * the protocol ({@link dev.codex4j.errors.ProtocolException}), and turns
 * ({@link dev.codex4j.errors.TurnFailedException}, {@link dev.codex4j.errors.TurnTimeoutException}, ...).
 *
 * <pre>{@code
 * try {
 *     thread.run("...");
 * } catch (TurnFailedException e) {
 *     RunResult partial = e.result(RunResult.class);
 * } catch (CodexException e) {
 *     log.warn("codex4j: " + e.getMessage());
 * }
 * }</pre>
 */
package dev.codex4j.errors;
