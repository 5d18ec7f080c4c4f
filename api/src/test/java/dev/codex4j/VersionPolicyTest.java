package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.CodexCli;
import dev.codex4j.errors.IncompatibleServerVersionException;
import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The version policy at start, against testkit's fake app-server reporting other Codex CLI versions. */
class VersionPolicyTest {
    static final String PIN = CodexCli.pinnedVersion();

    /** A fake whose initialize reply reports this version in its user agent. */
    static FakeAppServer reporting(String version) {
        return FakeAppServer.inProcess(FakeAppServer.script().onRequest("initialize",
                (req, out) -> out.respond(AppServerMessages.initializeResult("codex4j", version))));
    }

    static String newerMinor() {
        String[] v = PIN.split("\\.");
        return v[0] + "." + (Integer.parseInt(v[1]) + 1) + ".0";
    }

    static String newerPatch() {
        String[] v = PIN.split("\\.");
        return v[0] + "." + v[1] + "." + (Integer.parseInt(v[2]) + 1);
    }

    /** Starts a client with the policy against a server of that version; returns the warnings logged. */
    static List<String> start(VersionPolicy policy, String version) {
        List<String> warnings = new ArrayList<>();
        Logger log = Logger.getLogger("dev.codex4j.Codex");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING && r.getMessage().contains("Codex CLI")) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        log.addHandler(h);
        try (FakeAppServer fake = reporting(version);
                Codex codex = Codex.builder().versionPolicy(policy).streams(fake.clientInput(), fake.clientOutput()).build()) {
            assertTrue(codex.metadata().userAgent().contains("/" + version + " "));
            assertEquals("ok", codex.startThread().run("q").finalResponse().orElseThrow(), "the client works");
        } finally {
            log.removeHandler(h);
        }
        return warnings;
    }

    static IncompatibleServerVersionException refused(VersionPolicy policy, String version) {
        try (FakeAppServer fake = reporting(version)) {
            return assertThrows(IncompatibleServerVersionException.class, () -> Codex.builder().versionPolicy(policy)
                    .streams(fake.clientInput(), fake.clientOutput()).build());
        }
    }

    @Test
    void theDefaultRunsANewerServerWithAWarningNamingBothVersions() {
        List<String> w = start(VersionPolicy.WARN, newerMinor());
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.getFirst().contains(newerMinor()) && w.getFirst().contains(PIN), w.getFirst());
        assertEquals(List.of(), start(VersionPolicy.WARN, PIN), "the pin runs silently");
        for (String older : CodexCli.supportedOlderVersions()) {
            assertEquals(List.of(), start(VersionPolicy.WARN, older), "a supported older version runs silently");
        }
    }

    @Test
    void exactRefusesAnyOtherVersionNamingBoth() {
        assertEquals(List.of(), start(VersionPolicy.EXACT, PIN));
        IncompatibleServerVersionException e = refused(VersionPolicy.EXACT, newerPatch());
        assertEquals(newerPatch(), e.serverVersion());
        assertEquals(PIN, e.pinnedVersion());
        assertTrue(e.getMessage().contains("Codex CLI " + newerPatch()) && e.getMessage().contains(PIN)
                && e.getMessage().contains("VersionPolicy.EXACT"), e.getMessage());
        refused(VersionPolicy.EXACT, CodexCli.supportedOlderVersions().getFirst());
    }

    @Test
    void sameMinorAllowsAnotherPatchOnly() {
        assertEquals(List.of(), start(VersionPolicy.SAME_MINOR, newerPatch()));
        IncompatibleServerVersionException e = refused(VersionPolicy.SAME_MINOR, newerMinor());
        assertTrue(e.getMessage().contains("SAME_MINOR"), e.getMessage());
    }

    @Test
    void newerAllowedWarnsForNewerAndRefusesUnsupportedOlder() {
        List<String> w = start(VersionPolicy.NEWER_ALLOWED, newerMinor());
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.getFirst().contains("newer"), w.getFirst());
        assertEquals(List.of(), start(VersionPolicy.NEWER_ALLOWED, CodexCli.supportedOlderVersions().getLast()));
        IncompatibleServerVersionException e = refused(VersionPolicy.NEWER_ALLOWED, "0.100.0");
        assertTrue(e.getMessage().contains("older") && e.getMessage().contains("0.100.0"), e.getMessage());
    }

    @Test
    void aUserAgentWithoutAVersionIsRefusedByAStrictPolicy() {
        try (FakeAppServer fake = FakeAppServer.inProcess(FakeAppServer.script().onRequest("initialize",
                (req, out) -> out.respond(AppServerMessages.initializeResult("codex4j", PIN).put("userAgent", "weird"))))) {
            IncompatibleServerVersionException e = assertThrows(IncompatibleServerVersionException.class,
                    () -> Codex.builder().versionPolicy(VersionPolicy.SAME_MINOR)
                            .streams(fake.clientInput(), fake.clientOutput()).build());
            assertNull(e.serverVersion());
            assertEquals("weird", e.userAgent());
        }
    }
}
