package dev.codex4j.runtime;

import java.util.ArrayDeque;
import java.util.regex.Pattern;

/** The last lines of a child's stderr, bounded in lines and characters, ANSI colours removed. */
final class StderrTail {
    static final int MAX_LINES = 50;
    static final int MAX_LINE_CHARS = 2_000;
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");

    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        String clean = ANSI.matcher(line).replaceAll("");
        if (clean.length() > MAX_LINE_CHARS) {
            clean = clean.substring(0, MAX_LINE_CHARS) + "... (" + clean.length() + " chars)";
        }
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(clean);
    }

    synchronized String text() {
        return String.join("\n", lines);
    }
}
