package dev.codex4j.examples;

import dev.codex4j.CodexThread;
import dev.codex4j.TurnEvent;
import dev.codex4j.TurnEventStream;
import dev.codex4j.testkit.ModelReply;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** A small interactive chat on the terminal: type a line, see the answer stream; empty line or EOF quits. */
public final class Chat {
    private Chat() {}

    /** @param args unused */
    public static void main(String[] args) throws Exception {
        try (ExampleSession session = ExampleSession.open(model -> model.defaultReply(
                request -> ModelReply.message("You said: " + request.lastUserText()).deltas(4)))) {
            CodexThread thread = session.codex().startThread();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            System.out.print("you> ");
            System.out.flush();
            String line;
            while ((line = in.readLine()) != null && !line.isBlank()) {
                System.out.print("codex> ");
                try (TurnEventStream events = thread.turn(line).events()) {
                    for (TurnEvent e : events) {
                        if (e instanceof TurnEvent.AgentMessageDelta d) {
                            System.out.print(d.delta());
                            System.out.flush();
                        }
                    }
                }
                System.out.print("\nyou> ");
                System.out.flush();
            }
            System.out.println();
        }
    }
}
