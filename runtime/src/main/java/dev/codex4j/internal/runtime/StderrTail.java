package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The last lines of a child's stderr, bounded in lines and bytes, ANSI colours removed. It reads
 * the stream in chunks and keeps at most {@link #MAX_LINE_BYTES} of any line, so an endless line
 * costs no more memory than a short one and never ends the drain.
 */
final class StderrTail {
    static final int MAX_LINES = 50;
    static final int MAX_LINE_BYTES = 2_000;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    /**
     * Reads {@code in} to its end, keeping the tail; each complete line (truncated) also goes to
     * {@code sink}. Owned by the drain thread.
     */
    void drain(InputStream in, Consumer<String> sink) throws IOException {
        byte[] chunk = new byte[8192];
        byte[] line = new byte[MAX_LINE_BYTES];
        int kept = 0;
        long dropped = 0;
        int n;
        while ((n = in.read(chunk)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = chunk[i];
                if (b == '\n') {
                    sink.accept(add(line, kept, dropped));
                    kept = 0;
                    dropped = 0;
                } else if (kept < line.length) {
                    line[kept++] = b;
                } else {
                    dropped++;
                }
            }
        }
        if (kept > 0 || dropped > 0) {
            sink.accept(add(line, kept, dropped));
        }
    }

    private String add(byte[] line, int kept, long dropped) {
        int end = kept;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        String clean = ANSI.matcher(new String(line, 0, end, UTF_8)).replaceAll("");
        if (dropped > 0) {
            clean = clean + "... (" + (kept + dropped) + " bytes)";
        }
        add(clean);
        return clean;
    }

    synchronized void add(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    synchronized String text() {
        return String.join("\n", lines);
    }
}
