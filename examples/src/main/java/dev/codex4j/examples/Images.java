package dev.codex4j.examples;

import dev.codex4j.Inputs;
import dev.codex4j.RunResult;
import dev.codex4j.testkit.ModelReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/** Sends images with the prompt: a local file and a data URL. */
public final class Images {
    private Images() {}

    // A 1x1 PNG.
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /** @param args optional: the path of an image */
    public static void main(String[] args) throws Exception {
        Path image = args.length > 0 ? Path.of(args[0]) : Files.createTempFile("codex4j-example", ".png");
        if (args.length == 0) {
            Files.write(image, Base64.getDecoder().decode(PNG));
        }
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(
                ModelReply.message("I see two tiny images.")))) {
            RunResult r = session.codex().startThread().run(List.of(
                    Inputs.text("What is in these images?"),
                    Inputs.localImage(image),
                    Inputs.image("data:image/png;base64," + PNG)));
            System.out.println(r.finalResponse().orElse("(no answer)"));
        } finally {
            if (args.length == 0) {
                Files.deleteIfExists(image);
            }
        }
    }
}
