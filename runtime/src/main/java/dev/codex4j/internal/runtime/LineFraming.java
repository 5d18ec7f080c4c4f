package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

/** JSONL framing shared by the transports. */
final class LineFraming {
    private LineFraming() {}

    /** @return the line's UTF-8 bytes followed by {@code \n}, so one write puts out the whole line */
    static byte[] frame(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a JSONL line must not contain a line terminator");
        }
        byte[] body = line.getBytes(UTF_8);
        byte[] framed = new byte[body.length + 1];
        System.arraycopy(body, 0, framed, 0, body.length);
        framed[body.length] = '\n';
        return framed;
    }
}
