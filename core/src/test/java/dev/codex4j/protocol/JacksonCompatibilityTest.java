package dev.codex4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tools.jackson.core.Version;

class JacksonCompatibilityTest {
    private static final Version V3_1_7 = new Version(3, 1, 7, null, "tools.jackson.core", "jackson-databind");

    @Test
    void theJacksonWeBuildWithPasses() {
        JacksonCompatibility.check();
    }

    @Test
    void theFloorIsTheMinorWeCompileAgainst() {
        Version built = tools.jackson.databind.cfg.PackageVersion.VERSION;
        assertEquals(built.getMajorVersion() + "." + built.getMinorVersion(),
                JacksonCompatibility.MIN_JACKSON[0] + "." + JacksonCompatibility.MIN_JACKSON[1],
                "raise JacksonCompatibility.MIN_JACKSON (and the BOM's annotations floor) with jackson.version");
    }

    @Test
    void anOldAnnotationsJarIsNamedWithTheFix() {
        String problem = JacksonCompatibility.problem(V3_1_7, V3_1_7, name -> false, "2.19.2 in file:/m2/a.jar");
        assertNotNull(problem);
        assertTrue(problem.contains("jackson-annotations 2.21 or newer (found 2.19.2 in file:/m2/a.jar, which lacks"
                + " com.fasterxml.jackson.annotation.JsonSerializeAs"), problem);
        assertTrue(problem.contains("import dev.codex4j:codex4j-bom before it"), problem);
    }

    @Test
    void anOlderDatabindIsNamed() {
        Version old = new Version(3, 0, 2, null, "tools.jackson.core", "jackson-databind");
        String problem = JacksonCompatibility.problem(old, V3_1_7, name -> true, "2.21");
        assertNotNull(problem);
        assertTrue(problem.contains("tools.jackson.core:jackson-databind 3.1 or newer (found 3.0.2)"), problem);
    }

    @Test
    void newerVersionsPass() {
        Version newer = new Version(3, 4, 0, null, "tools.jackson.core", "jackson-databind");
        assertNull(JacksonCompatibility.problem(newer, new Version(4, 0, 0, null, null, null), name -> true, "2.30"));
    }

    @Test
    void theFoundAnnotationsAreDescribedByVersionAndJar() {
        String found = JacksonCompatibility.describe(com.fasterxml.jackson.annotation.JsonInclude.class);
        assertTrue(found.matches("2\\.\\d+(\\.\\d+)? in .*jackson-annotations.*"), found);
    }
}
