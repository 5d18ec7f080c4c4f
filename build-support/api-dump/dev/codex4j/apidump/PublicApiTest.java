package dev.codex4j.apidump;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module's public API, as a checked-in text dump ({@code <module>/api/<artifactId>.api}): the
 * module descriptor's exports and transitive requires, then every public or protected type and member
 * of the unqualified exports, one line each, sorted. A change to the API changes the dump, and this
 * test fails until the dump is updated on purpose: {@code scripts/update-api-dump} (or
 * {@code -Dcodex4j.updateApiDump=true}) rewrites it, and the diff goes into the same commit.
 *
 * <p>One source file shared by every published module (build-support/api-dump, added as a test
 * source by build-helper-maven-plugin); it reads the module's {@code target/classes}.
 */
class PublicApiTest {
    private static final Path CLASSES = Path.of(System.getProperty("codex4j.apiDump.classes", "target/classes"));
    private static final Path DUMP = Path.of(System.getProperty("codex4j.apiDump.file", "api/module.api"));
    private static final boolean UPDATE = Boolean.parseBoolean(System.getProperty("codex4j.updateApiDump", "false"));

    @Test
    void publicApiMatchesTheCheckedInDump() throws Exception {
        String actual = dump();
        if (UPDATE) {
            Files.createDirectories(DUMP.toAbsolutePath().getParent());
            Files.writeString(DUMP, actual, StandardCharsets.UTF_8);
            System.out.println("[api-dump] wrote " + DUMP.toAbsolutePath());
            return;
        }
        if (!Files.exists(DUMP)) {
            fail("No API dump at " + DUMP.toAbsolutePath() + "; create it with scripts/update-api-dump");
        }
        String expected = Files.readString(DUMP, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            fail("The public API differs from " + DUMP.toAbsolutePath() + ".\n" + diff(expected, actual)
                    + "\nIf the change is intended, run scripts/update-api-dump (or mvn test"
                    + " -Dcodex4j.updateApiDump=true) and commit the updated dump.");
        }
    }

    static String dump() throws Exception {
        List<String> out = new ArrayList<>();
        out.add("# Public API of this module, written by scripts/update-api-dump; checked by PublicApiTest.");
        List<String> packages;
        Path info = CLASSES.resolve("module-info.class");
        if (Files.exists(info)) {
            ModuleDescriptor d;
            try (InputStream in = Files.newInputStream(info)) {
                d = ModuleDescriptor.read(in);
            }
            out.add("module " + d.name());
            d.requires().stream()
                    .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                    .map(r -> "  requires " + r.modifiers().stream().map(m -> m.name().toLowerCase())
                            .sorted().collect(Collectors.joining(" ")) + " " + r.name())
                    .sorted().forEach(out::add);
            d.exports().stream()
                    .map(e -> "  exports " + e.source() + (e.isQualified() ? " to " + String.join(", ", e.targets().stream().sorted().toList()) : ""))
                    .sorted().forEach(out::add);
            d.opens().stream()
                    .map(o -> "  opens " + o.source() + (o.isQualified() ? " to " + String.join(", ", o.targets().stream().sorted().toList()) : ""))
                    .sorted().forEach(out::add);
            packages = d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                    .sorted().toList();
        } else {
            packages = null;
        }
        TreeMap<String, List<String>> types = new TreeMap<>();
        ClassLoader loader = PublicApiTest.class.getClassLoader();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String rel = CLASSES.relativize(f).toString().replace('\\', '/');
                if (rel.equals("module-info.class") || rel.endsWith("package-info.class")) {
                    continue;
                }
                String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
                String pkg = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "";
                if (packages != null && !packages.contains(pkg)) {
                    continue;
                }
                Class<?> c = Class.forName(name, false, loader);
                if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass() || !visible(c)) {
                    continue;
                }
                types.put(c.getName(), describe(c));
            }
        }
        types.values().forEach(lines -> {
            out.add("");
            out.addAll(lines);
        });
        return String.join("\n", out) + "\n";
    }

    /** Public, or protected inside a visible type, all the way out. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            int m = k.getModifiers();
            boolean ok = Modifier.isPublic(m) || (Modifier.isProtected(m) && k.getDeclaringClass() != null);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<String> describe(Class<?> c) {
        List<String> lines = new ArrayList<>();
        lines.add(header(c));
        Set<String> members = new java.util.TreeSet<>();
        for (Field f : c.getDeclaredFields()) {
            if (shown(f) && !(c.isEnum() && f.isEnumConstant())) {
                members.add(modifiers(f.getModifiers()) + type(f.getGenericType()) + " " + f.getName());
            }
        }
        if (c.isEnum()) {
            lines.add("  constants " + Arrays.stream(c.getDeclaredFields()).filter(Field::isEnumConstant)
                    .map(Field::getName).collect(Collectors.joining(", ")));
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (shown(k)) {
                members.add(modifiers(k.getModifiers()) + typeParams(k.getTypeParameters(), " ") + c.getSimpleName() + params(k));
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (!shown(m) || m.isBridge() || implicit(c, m)) {
                continue;
            }
            int mods = m.getModifiers();
            if (c.isInterface()) {
                mods &= ~(Modifier.PUBLIC | Modifier.ABSTRACT);
            }
            members.add((m.isDefault() ? "default " : "") + modifiers(mods) + typeParams(m.getTypeParameters(), " ")
                    + type(m.getGenericReturnType()) + " " + m.getName() + params(m));
        }
        members.forEach(m -> lines.add("  " + m));
        return lines;
    }

    private static boolean shown(Member m) {
        int mods = m.getModifiers();
        return !m.isSynthetic() && (Modifier.isPublic(mods) || Modifier.isProtected(mods));
    }

    /** Members every record or enum has, which say nothing about this one. */
    private static boolean implicit(Class<?> c, Method m) {
        String sig = m.getName() + Arrays.toString(m.getParameterTypes());
        if (c.isRecord()) {
            return sig.equals("equals[class java.lang.Object]") || sig.equals("hashCode[]") || sig.equals("toString[]");
        }
        if (c.isEnum()) {
            return sig.equals("values[]") || sig.equals("valueOf[class java.lang.String]");
        }
        return false;
    }

    private static String header(Class<?> c) {
        int mods = c.getModifiers() & ~Modifier.SYNCHRONIZED;
        String kind;
        if (c.isAnnotation()) {
            kind = "@interface";
            mods &= ~(Modifier.ABSTRACT | Modifier.INTERFACE);
        } else if (c.isInterface()) {
            kind = "interface";
            mods &= ~(Modifier.ABSTRACT | Modifier.INTERFACE);
        } else if (c.isEnum()) {
            kind = "enum";
            mods &= ~(Modifier.FINAL | Modifier.ABSTRACT);
        } else if (c.isRecord()) {
            kind = "record";
            mods &= ~Modifier.FINAL;
        } else {
            kind = "class";
        }
        StringBuilder b = new StringBuilder(modifiers(mods));
        if (c.isSealed()) {
            b.append("sealed ");
        }
        b.append(kind).append(' ').append(c.getName().replace('$', '.')).append(typeParams(c.getTypeParameters(), ""));
        if (c.isRecord()) {
            b.append(Arrays.stream(c.getRecordComponents())
                    .map(rc -> type(rc.getGenericType()) + " " + rc.getName())
                    .collect(Collectors.joining(", ", "(", ")")));
        }
        Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && !c.isEnum() && !c.isRecord()) {
            b.append(" extends ").append(type(sup));
        }
        Type[] ifaces = c.getGenericInterfaces();
        if (ifaces.length > 0 && !c.isAnnotation()) {
            b.append(c.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(ifaces).map(PublicApiTest::type).collect(Collectors.joining(", ")));
        }
        if (c.isSealed()) {
            b.append(" permits ").append(Arrays.stream(c.getPermittedSubclasses())
                    .map(p -> p.getName().replace('$', '.')).sorted().collect(Collectors.joining(", ")));
        }
        return b.toString();
    }

    private static String modifiers(int mods) {
        String s = Modifier.toString(mods & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL
                | Modifier.ABSTRACT));
        return s.isEmpty() ? "" : s + " ";
    }

    private static String params(Executable e) {
        String ps = Arrays.stream(e.getGenericParameterTypes()).map(PublicApiTest::type)
                .collect(Collectors.joining(", ", "(", ")"));
        if (e.isVarArgs()) {
            ps = ps.substring(0, ps.lastIndexOf("[]")) + "..." + ps.substring(ps.lastIndexOf("[]") + 2);
        }
        Type[] ex = e.getGenericExceptionTypes();
        return ex.length == 0 ? ps : ps + " throws " + Arrays.stream(ex).map(PublicApiTest::type).collect(Collectors.joining(", "));
    }

    private static String typeParams(TypeVariable<?>[] vars, String after) {
        if (vars.length == 0) {
            return "";
        }
        return Arrays.stream(vars).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(t -> t != Object.class).map(PublicApiTest::type).toList();
            return v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds));
        }).collect(Collectors.joining(", ", "<", ">")) + after;
    }

    private static String type(Type t) {
        return t.getTypeName().replace('$', '.');
    }

    /** Lines only in one or the other, in order: enough to see what changed. */
    private static String diff(String expected, String actual) {
        Set<String> was = new LinkedHashSet<>(List.of(expected.split("\n")));
        Set<String> now = new LinkedHashSet<>(List.of(actual.split("\n")));
        StringBuilder b = new StringBuilder();
        int shown = 0;
        for (String l : was) {
            if (!now.contains(l) && shown++ < 60) {
                b.append("- ").append(l).append('\n');
            }
        }
        for (String l : now) {
            if (!was.contains(l) && shown++ < 120) {
                b.append("+ ").append(l).append('\n');
            }
        }
        return b.toString();
    }
}
