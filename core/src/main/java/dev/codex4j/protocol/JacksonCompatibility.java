package dev.codex4j.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.Version;

/**
 * Checks, once, that the Jackson found at run time is one codex4j runs on, and says what to change
 * when it is not. {@link ProtocolCodec} calls it before it builds its mapper.
 *
 * <p>Why: a framework's dependency management can replace the Jackson versions codex4j declares.
 * Spring Boot 3.5 manages {@code com.fasterxml.jackson.core:jackson-annotations} 2.19, and
 * {@code tools.jackson} 3.1 then fails deep inside its first mapper with
 * {@code NoClassDefFoundError: com/fasterxml/jackson/annotation/JsonSerializeAs}. This turns that
 * into a message naming the jar, the versions and the fix.
 *
 * <pre>{@code
 * JacksonCompatibility.check();   // IllegalStateException with the fix when Jackson is too old
 * }</pre>
 */
final class JacksonCompatibility {
    /** The {@code tools.jackson} minor version codex4j is compiled against, and so the oldest it runs on. */
    static final int[] MIN_JACKSON = {3, 1};
    /** The jackson-annotations version that {@code tools.jackson} 3.1 needs. */
    static final String MIN_ANNOTATIONS = "2.21";
    /** Classes new in jackson-annotations 2.21 that jackson-databind 3.1 loads. */
    static final List<String> ANNOTATIONS_2_21_CLASSES = List.of(
            "com.fasterxml.jackson.annotation.JsonSerializeAs",
            "com.fasterxml.jackson.annotation.JsonDeserializeAs");

    private static final String FIX = "If a BOM or parent manages an older Jackson (Spring Boot 3.x does), import"
            + " dev.codex4j:codex4j-bom before it in <dependencyManagement>, or declare"
            + " com.fasterxml.jackson.core:jackson-annotations:" + MIN_ANNOTATIONS
            + " in your own <dependencyManagement>; for tools.jackson set the BOM property (jackson-bom.version in"
            + " Spring Boot 4) to 3.1 or newer. See \"Spring Boot and other BOMs\" in codex4j's README.";

    private JacksonCompatibility() {}

    /**
     * Throws when the Jackson on the class or module path is older than codex4j needs.
     *
     * @throws IllegalStateException naming what was found, where, and how to fix the build
     */
    static void check() {
        ClassLoader loader = JsonInclude.class.getClassLoader();
        String problem = problem(tools.jackson.databind.cfg.PackageVersion.VERSION,
                tools.jackson.core.json.PackageVersion.VERSION, name -> present(name, loader),
                describe(JsonInclude.class));
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /**
     * The check itself, on given facts (for tests).
     *
     * @param databind the jackson-databind version found
     * @param core the jackson-core version found
     * @param annotationPresent whether a class of jackson-annotations can be loaded
     * @param annotationsFound the jackson-annotations version and jar found, for the message
     * @return null when all is well, else what is wrong and how to fix it
     */
    static @Nullable String problem(Version databind, Version core, Predicate<String> annotationPresent,
            String annotationsFound) {
        List<String> wrong = new ArrayList<>();
        String floor = MIN_JACKSON[0] + "." + MIN_JACKSON[1];
        if (older(databind)) {
            wrong.add("tools.jackson.core:jackson-databind " + floor + " or newer (found " + databind + ")");
        }
        if (older(core)) {
            wrong.add("tools.jackson.core:jackson-core " + floor + " or newer (found " + core + ")");
        }
        List<String> missing = ANNOTATIONS_2_21_CLASSES.stream().filter(annotationPresent.negate()).toList();
        if (!missing.isEmpty()) {
            wrong.add("com.fasterxml.jackson.core:jackson-annotations " + MIN_ANNOTATIONS + " or newer (found "
                    + annotationsFound + ", which lacks " + String.join(" and ", missing) + ")");
        }
        if (wrong.isEmpty()) {
            return null;
        }
        return "codex4j needs " + String.join("; ", wrong) + ". " + FIX;
    }

    private static boolean older(Version v) {
        return v.getMajorVersion() < MIN_JACKSON[0]
                || (v.getMajorVersion() == MIN_JACKSON[0] && v.getMinorVersion() < MIN_JACKSON[1]);
    }

    private static boolean present(String name, @Nullable ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Version and jar of a class, as far as they can be told. */
    static String describe(Class<?> c) {
        String version = c.getPackage() == null ? null : c.getPackage().getImplementationVersion();
        if (version == null) {
            version = c.getModule().getDescriptor() == null ? null
                    : c.getModule().getDescriptor().rawVersion().orElse(null);
        }
        CodeSource source = c.getProtectionDomain().getCodeSource();
        String where = source == null || source.getLocation() == null ? "an unknown jar" : source.getLocation().toString();
        return (version == null ? "an unknown version" : version) + " in " + where;
    }
}
