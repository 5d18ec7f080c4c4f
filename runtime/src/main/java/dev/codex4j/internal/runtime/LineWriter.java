package dev.codex4j.internal.runtime;

import java.io.IOException;

/** Where the runtime's components write their lines: the transport, through the wire log. */
@FunctionalInterface
interface LineWriter {
    /** Writes one line (thread-safe). */
    void write(String line) throws IOException;
}
