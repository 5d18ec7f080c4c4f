package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CapacityExceededException;
import dev.codex4j.internal.sdk.Admission;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The SDK layer's own rules and small machinery, without a server. */
class SdkMachineryTest {

    @Test
    void thePublicPackageHoldsOnlyPublicTypes() throws Exception {
        List<String> notPublic = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/codex4j"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                if (name.equals("package-info")) {
                    continue;
                }
                if (!Modifier.isPublic(Class.forName("dev.codex4j." + name).getModifiers())) {
                    notPublic.add(name);
                }
            }
        }
        assertEquals(List.of(), notPublic, "machinery belongs in dev.codex4j.internal.sdk");
    }

    @Test
    void aPermitGivenBackTwiceFreesOneSlot() {
        Admission admission = new Admission(1, Duration.ZERO);
        Admission.Permit p = admission.acquire("the first turn");
        p.release(); // the turn's consumer folded its end
        p.release(); // the reservation's release action, later, after the runtime's lock
        assertEquals(0, admission.active());
        admission.acquire("the second turn");
        assertThrows(CapacityExceededException.class, () -> admission.acquire("a third turn"),
                "a second release must not have freed a slot it did not hold");
    }

    @Test
    void aWaitingTurnIsAdmittedWhenAPermitIsGivenBackFromAnotherThread() throws Exception {
        Admission admission = new Admission(1, Duration.ofSeconds(10));
        Admission.Permit p = admission.acquire("the first turn");
        Thread releaser = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.release();
        });
        admission.acquire("the second turn");
        releaser.join();
        assertEquals(1, admission.active());
    }
}
