package dev.codex4j.examples;

import dev.codex4j.protocol.CodexCli;
import java.nio.file.Path;

/** Quickstart (placeholder until the SDK lands): prints the resolved Codex CLI and its version. */
public final class Quickstart {
    private Quickstart() {}

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        Path codex = CodexCli.locate(null);
        Process p = new ProcessBuilder(codex.toString(), "--version").redirectErrorStream(true).start();
        String version = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        System.out.println(codex + " -> " + version);
    }
}
