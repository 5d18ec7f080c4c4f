package dev.codex4j.codegen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The drift report between two vendored schemas ({@code core/src/main/schema} before and after
 * {@code scripts/regenerate-protocol}): methods and notifications added or removed, definitions
 * added, removed or changed (members added or removed, required or not, changed type), and for
 * each change the hand-written SDK sources that use it (the generated Java name, or the method
 * name). A pure function of its inputs ({@link #report}); {@link #main} prints it.
 */
public final class SchemaDrift {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> TABLES = List.of("ClientRequest", "ClientNotification", "ServerNotification",
            "ServerRequest");

    private SchemaDrift() {}

    /**
     * @param args the old schema root, the new schema root, then source roots of hand-written code
     *     to look for uses in (e.g. {@code api/src/main/java})
     */
    public static void main(String[] args) {
        List<Path> sources = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            sources.add(Path.of(args[i]));
        }
        System.out.print(report(Path.of(args[0]), Path.of(args[1]), sources));
    }

    /**
     * @param oldRoot the schema root before (with {@code experimental/})
     * @param newRoot the schema root after
     * @param sources hand-written source roots to search for uses
     * @return the report, one change per line
     */
    public static String report(Path oldRoot, Path newRoot, List<Path> sources) {
        Map<String, String> code = readSources(sources);
        StringBuilder b = new StringBuilder();
        b.append("Schema drift (").append(oldRoot).append(" -> ").append(newRoot).append(")\n");
        for (String table : TABLES) {
            Set<String> before = methods(oldRoot, table);
            Set<String> after = methods(newRoot, table);
            for (String m : after) {
                if (!before.contains(m)) {
                    b.append("  + ").append(table).append(" method ").append(m).append('\n');
                }
            }
            for (String m : before) {
                if (!after.contains(m)) {
                    b.append("  - ").append(table).append(" method ").append(m)
                            .append(uses(code, List.of(m, ProtocolGenerator.constant(m), ProtocolGenerator.pascal(m)))).append('\n');
                }
            }
        }
        Map<String, JsonNode> before = definitions(oldRoot);
        Map<String, JsonNode> after = definitions(newRoot);
        for (Map.Entry<String, JsonNode> e : after.entrySet()) {
            if (!before.containsKey(e.getKey())) {
                b.append("  + definition ").append(e.getKey()).append('\n');
            }
        }
        for (Map.Entry<String, JsonNode> e : before.entrySet()) {
            String name = e.getKey();
            if (TABLES.contains(name)) {
                continue; // the method tables: reported as methods above
            }
            JsonNode old = e.getValue();
            JsonNode now = after.get(name);
            String java = ProtocolGenerator.className(name);
            if (now == null) {
                b.append("  - definition ").append(name).append(uses(code, List.of(java))).append('\n');
                continue;
            }
            if (withoutDocs(old).equals(withoutDocs(now))) {
                continue;
            }
            List<String> changes = memberChanges(old, now);
            b.append("  ~ definition ").append(name).append(": ")
                    .append(changes.isEmpty() ? "shape changed (union forms, enum values or type)" : String.join("; ", changes))
                    .append(uses(code, List.of(java))).append('\n');
        }
        return b.toString();
    }

    private static List<String> memberChanges(JsonNode old, JsonNode now) {
        List<String> out = new ArrayList<>();
        JsonNode op = old.path("properties");
        JsonNode np = now.path("properties");
        Set<String> oreq = strings(old.path("required"));
        Set<String> nreq = strings(now.path("required"));
        for (String m : names(np)) {
            if (!op.has(m)) {
                out.add("+" + m + (nreq.contains(m) ? " (required)" : ""));
            }
        }
        for (String m : names(op)) {
            if (!np.has(m)) {
                out.add("-" + m + (oreq.contains(m) ? " (was required: old types miss it)" : ""));
            } else {
                if (!withoutDocs(op.get(m)).equals(withoutDocs(np.get(m)))) {
                    out.add("~" + m + " type");
                }
                if (oreq.contains(m) != nreq.contains(m)) {
                    out.add(m + (nreq.contains(m) ? " now required" : " no longer required"));
                }
            }
        }
        boolean unionBefore = old.has("oneOf") || old.has("anyOf");
        boolean unionAfter = now.has("oneOf") || now.has("anyOf");
        if (unionBefore != unionAfter) {
            out.add(unionAfter ? "became a union" : "is no longer a union");
        } else if (unionBefore && (!withoutDocs(old.path("oneOf")).equals(withoutDocs(now.path("oneOf")))
                || !withoutDocs(old.path("anyOf")).equals(withoutDocs(now.path("anyOf"))))) {
            out.add("union forms changed");
        }
        if (!withoutDocs(old.path("enum")).equals(withoutDocs(now.path("enum")))) {
            out.add("enum values changed");
        }
        return out;
    }

    /** The schema with descriptions dropped: a reworded description is not drift. */
    private static JsonNode withoutDocs(JsonNode n) {
        if (n.isObject()) {
            var o = JSON.createObjectNode();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!e.getKey().equals("description") && !e.getKey().equals("title") && !e.getKey().equals("$schema")) {
                    o.set(e.getKey(), withoutDocs(e.getValue()));
                }
            }
            return o;
        }
        if (n.isArray()) {
            var a = JSON.createArrayNode();
            n.forEach(x -> a.add(withoutDocs(x)));
            return a;
        }
        return n;
    }

    private static String uses(Map<String, String> code, List<String> words) {
        Set<String> files = new TreeSet<>();
        for (String w : words) {
            Pattern p = Pattern.compile("(?<![A-Za-z0-9_$])" + Pattern.quote(w) + "(?![A-Za-z0-9_$])");
            code.forEach((file, text) -> {
                if ((w.contains("/") ? text.contains("\"" + w + "\"") : p.matcher(text).find())) {
                    files.add(file);
                }
            });
        }
        return files.isEmpty() ? "" : "  [used by " + String.join(", ", files) + "]";
    }

    private static Map<String, String> readSources(List<Path> roots) {
        Map<String, String> out = new TreeMap<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    out.put(f.getFileName().toString().replace(".java", ""), Files.readString(f, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Set<String> methods(Path root, String table) {
        Set<String> out = new TreeSet<>();
        Path f = root.resolve("experimental").resolve(table + ".json");
        if (Files.exists(f)) {
            for (JsonNode m : read(f).path("oneOf")) {
                out.add(ProtocolGenerator.methodName(m));
            }
        }
        return out;
    }

    /** Every definition of the v2 bundle and of the other files, and each file's own root type. */
    private static Map<String, JsonNode> definitions(Path root) {
        Map<String, JsonNode> out = new TreeMap<>();
        Path dir = root.resolve("experimental");
        read(dir.resolve(ProtocolGenerator.V2_BUNDLE)).path("definitions").properties()
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".json")
                    && !x.getFileName().toString().equals(ProtocolGenerator.V2_BUNDLE)).sorted().toList()) {
                JsonNode n = read(p);
                n.path("definitions").properties().forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
                String title = n.path("title").asString(p.getFileName().toString().replace(".json", ""));
                if (!TABLES.contains(title)) {
                    var copy = n.deepCopy();
                    ((tools.jackson.databind.node.ObjectNode) copy).remove("definitions");
                    out.putIfAbsent(title, copy);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Set<String> names(JsonNode o) {
        Set<String> out = new TreeSet<>();
        o.properties().forEach(e -> out.add(e.getKey()));
        return out;
    }

    private static Set<String> strings(JsonNode a) {
        Set<String> out = new TreeSet<>();
        a.forEach(x -> out.add(x.asString()));
        return out;
    }

    private static JsonNode read(Path p) {
        try {
            return JSON.readTree(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
