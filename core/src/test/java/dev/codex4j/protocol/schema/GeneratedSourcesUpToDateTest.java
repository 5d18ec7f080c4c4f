package dev.codex4j.protocol.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.codegen.ProtocolGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in generated sources are exactly what the generator makes of the vendored schema, so a
 * schema change without {@code scripts/regenerate-protocol} (or a hand edit of a generated file)
 * fails the build. Every file under the generated source root ({@code src/generated/java}) is
 * generated: a hand-written file there fails too.
 */
class GeneratedSourcesUpToDateTest {
    static final Path SCHEMA = Path.of("src/main/schema");
    static final Path SOURCES = Path.of("src/generated/java");

    @Test
    void checkedInGeneratedSourcesMatchTheVendoredSchema() throws IOException {
        Map<String, String> generated = ProtocolGenerator.generate(SCHEMA);
        assertTrue(generated.size() > 700, "about one file per schema definition");
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> e : generated.entrySet()) {
            Path f = SOURCES.resolve(e.getKey());
            if (!Files.exists(f) || !Files.readString(f).equals(e.getValue())) {
                stale.add(e.getKey());
            }
        }
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = SOURCES.relativize(f).toString().replace('\\', '/');
                if (!generated.containsKey(rel)) {
                    stale.add(rel + (Files.readString(f).startsWith(ProtocolGenerator.HEADER)
                            ? " (no longer generated)" : " (hand-written file in the generated source root)"));
                }
            }
        }
        assertEquals(List.of(), stale.stream().limit(20).toList(),
                "generated sources differ from the schema; run scripts/regenerate-protocol");
    }

    @Test
    void generationIsDeterministic() {
        Map<String, String> a = ProtocolGenerator.generate(SCHEMA);
        Map<String, String> b = ProtocolGenerator.generate(SCHEMA);
        assertEquals(new TreeSet<>(a.keySet()), new TreeSet<>(b.keySet()));
        assertEquals(a, b);
    }
}
