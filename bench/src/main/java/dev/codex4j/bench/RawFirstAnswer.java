package dev.codex4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time to a first answer without the SDK: the same JSON-RPC exchange as {@link FirstAnswer}
 * ({@code initialize}, {@code initialized}, {@code thread/start}, {@code turn/start}, read until
 * {@code turn/completed}, close, wait for the exit), written by hand with {@code java.base} alone.
 * Its time is the JVM's and the app-server's part; {@link FirstAnswer}'s minus this one is the
 * SDK's own part.
 */
public final class RawFirstAnswer {
    private static final Pattern THREAD_ID = Pattern.compile("\"thread\":\\{\"id\":\"([^\"]+)\"");

    private RawFirstAnswer() {}

    /** @param args the app-server executable */
    public static void main(String[] args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args[0], "app-server").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        OutputStream out = p.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        send(out, "{\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"raw\",\"version\":\"0\"}}}");
        until(in, "\"id\":1");
        send(out, "{\"method\":\"initialized\"}");
        send(out, "{\"id\":2,\"method\":\"thread/start\",\"params\":{}}");
        String started = until(in, "\"id\":2");
        Matcher m = THREAD_ID.matcher(started);
        if (!m.find()) {
            throw new IllegalStateException("no thread id in " + started);
        }
        send(out, "{\"id\":3,\"method\":\"turn/start\",\"params\":{\"threadId\":\"" + m.group(1)
                + "\",\"input\":[{\"type\":\"text\",\"text\":\"Say hello\"}]}}");
        until(in, "\"method\":\"turn/completed\"");
        out.close();
        p.waitFor();
        System.out.println("answered");
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String until(BufferedReader in, String marker) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.contains(marker)) {
                return line;
            }
        }
        throw new IllegalStateException("the app-server ended before " + marker);
    }
}
