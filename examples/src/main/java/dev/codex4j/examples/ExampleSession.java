package dev.codex4j.examples;

import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.testkit.MockModelServer;
import dev.codex4j.testkit.OfflineCodex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * How every example gets its {@link Codex}: offline by default (the real Codex CLI against
 * testkit's mock model, with replies scripted for the example), or against your own Codex setup
 * and model when {@code CODEX4J_LIVE=1}.
 *
 * @param codex the client
 * @param offline the offline fixture, or null in live mode
 */
record ExampleSession(Codex codex, @Nullable OfflineCodex offline) implements AutoCloseable {

    static boolean live() {
        return "1".equals(System.getenv("CODEX4J_LIVE"));
    }

    /** Opens a session; {@code script} scripts the mock model (ignored in live mode). */
    static ExampleSession open(Consumer<MockModelServer> script) {
        return open(script, b -> b, b -> b);
    }

    static ExampleSession open(Consumer<MockModelServer> script, UnaryOperator<CodexBuilder> customize) {
        return open(script, b -> b, customize);
    }

    static ExampleSession open(Consumer<MockModelServer> script, UnaryOperator<OfflineCodex.Builder> fixture,
            UnaryOperator<CodexBuilder> customize) {
        if (live()) {
            return new ExampleSession(customize.apply(Codex.builder().clientName("codex4j-examples")).build(), null);
        }
        OfflineCodex offline = fixture.apply(OfflineCodex.builder()).start();
        try {
            script.accept(offline.server());
            Codex codex = customize.apply(Codex.builder().launch(offline.launch()).clientName("codex4j-examples"))
                    .build();
            return new ExampleSession(codex, offline);
        } catch (RuntimeException e) {
            offline.close();
            throw e;
        }
    }

    /**
     * Opens a session whose offline fixture {@code prepare} adjusts first (for example its model
     * catalog, {@link #editCatalog}); {@code prepare} is ignored in live mode.
     */
    static ExampleSession openPrepared(Consumer<OfflineCodex> prepare, UnaryOperator<CodexBuilder> customize) {
        if (live()) {
            return new ExampleSession(customize.apply(Codex.builder().clientName("codex4j-examples")).build(), null);
        }
        OfflineCodex offline = OfflineCodex.start();
        try {
            prepare.accept(offline);
            Codex codex = customize.apply(Codex.builder().launch(offline.launch()).clientName("codex4j-examples"))
                    .build();
            return new ExampleSession(codex, offline);
        } catch (RuntimeException e) {
            offline.close();
            throw e;
        }
    }

    /** Replaces {@code from} by {@code to} in the offline fixture's model catalog, which must hold it. */
    static void editCatalog(OfflineCodex offline, String from, String to) {
        Path catalog = offline.codexHome().resolve("mock_model_catalog.json");
        try {
            String json = Files.readString(catalog);
            if (!json.contains(from)) {
                throw new IllegalStateException("the mock model catalog has no " + from);
            }
            Files.writeString(catalog, json.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            codex.close();
        } finally {
            if (offline != null) {
                offline.close();
            }
        }
    }
}
