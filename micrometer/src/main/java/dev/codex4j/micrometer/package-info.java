/** Micrometer metrics of codex4j clients, as a {@link dev.codex4j.CodexEventListener}. */
@NullMarked
package dev.codex4j.micrometer;

import org.jspecify.annotations.NullMarked;
