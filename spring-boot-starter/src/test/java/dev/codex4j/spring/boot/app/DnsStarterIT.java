package dev.codex4j.spring.boot.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.Codex;
import dev.codex4j.CodexFleet;
import dev.codex4j.DnsEndpoints;
import dev.codex4j.spring.boot.CodexHealth;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.MutuallyExclusiveConfigurationPropertiesException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;

/**
 * {@code codex.dns.*}: the starter's fleet follows a DNS name. Real app-servers (the real CLI with
 * testkit's mock model) listen on one port of 127.0.0.2 and 127.0.0.3 (all of 127/8 is loopback on
 * Linux), as in DnsFleetIT; the properties alone say where and how (name, refresh, capability
 * token), a {@link DnsEndpoints.Resolver} bean answers for a made-up name, the JDK's resolver for a
 * literal address. And the DNS name with {@code codex.endpoints} is refused at startup, naming both.
 */
class DnsStarterIT {
    /** An application with no codex4j code at all: the client is the starter's, from the properties. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class FleetApplication {}

    @TempDir
    Path dir;
    private OfflineCodex offline;
    private ConfigurableApplicationContext context;
    private String[] auth;
    private Path token;

    @BeforeEach
    void start() throws Exception {
        offline = OfflineCodex.start();
        offline.server().defaultReply(r -> ModelReply.message("from a DNS endpoint"));
        token = dir.resolve("token");
        Files.writeString(token, "dns-starter-token-" + System.nanoTime());
        auth = new String[] {"--ws-auth", "capability-token", "--ws-token-file", token.toString()};
    }

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
        offline.close();
    }

    private ConfigurableApplicationContext run(DnsEndpoints.Resolver resolver, String... properties) {
        SpringApplicationBuilder app = new SpringApplicationBuilder(FleetApplication.class)
                .web(WebApplicationType.NONE).properties("spring.main.banner-mode=off").properties(properties);
        if (resolver != null) {
            app.initializers(c -> ((GenericApplicationContext) c).registerBean(DnsEndpoints.Resolver.class,
                    () -> resolver));
        }
        return app.run();
    }

    @Test
    void theDnsPropertiesMakeAFleetOfTheAddressesTheNameResolvesTo() {
        int port = offline.startListening("ws://127.0.0.2:0", auth).endpoint().getPort();
        offline.startListening("ws://127.0.0.3:" + port, auth);
        List<String> asked = new CopyOnWriteArrayList<>();
        DnsEndpoints.Resolver resolver = host -> {
            asked.add(host);
            return List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"));
        };
        context = run(resolver, "codex.dns.name=ws://codex-app-server.test:" + port,
                "codex.dns.refresh-every=200ms", "codex.dns.drain-grace=5s",
                "codex.dns.auth.token-file=" + token, "codex.fleet.max-turns-per-endpoint=4");

        CodexFleet fleet = context.getBean(CodexFleet.class);
        assertEquals(0, context.getBeanNamesForType(Codex.class).length, "a fleet, not one client");
        List<String> names = fleet.endpoints().stream().map(CodexFleet.Endpoint::name).sorted().toList();
        assertEquals(List.of("codex-app-server.test/127.0.0.2:" + port, "codex-app-server.test/127.0.0.3:" + port),
                names);
        assertTrue(fleet.endpoints().stream().allMatch(e -> e.maxTurns() == 4), fleet.endpoints().toString());
        assertTrue(asked.stream().allMatch("codex-app-server.test"::equals), asked.toString());

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) { // placement spreads new threads over both
            answers.add(fleet.startThread().run("hi").finalResponse().orElseThrow());
        }
        assertEquals(List.of("from a DNS endpoint", "from a DNS endpoint"), answers);
        assertTrue(fleet.endpoints().stream().allMatch(e -> e.threads() == 1), fleet.endpoints().toString());

        CodexHealth.Reading health = context.getBean(CodexHealth.class).read();
        assertEquals("UP", health.status());
        assertEquals(names, health.details().keySet().stream().sorted().toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> one = (Map<String, Object>) health.details().get(names.get(0));
        assertEquals("CONNECTED", one.get("state"));
    }

    @Test
    void withoutAResolverBeanTheJdkResolvesTheName() {
        int port = offline.startListening("ws://127.0.0.2:0", auth).endpoint().getPort();
        context = run(null, "codex.dns.name=ws://127.0.0.2:" + port, "codex.dns.auth.token-file=" + token,
                "codex.admission.max-concurrent-turns=2", "codex.admission.wait=1s");

        CodexFleet fleet = context.getBean(CodexFleet.class);
        assertEquals(List.of("127.0.0.2/127.0.0.2:" + port),
                fleet.endpoints().stream().map(CodexFleet.Endpoint::name).toList());
        assertEquals("from a DNS endpoint", fleet.startThread().run("hi").finalResponse().orElseThrow());
    }

    @Test
    void aDnsNameWithStaticEndpointsIsRefusedAtStartupNamingBoth() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> run(null,
                "codex.dns.name=ws://codex-app-server.test:8080", "codex.endpoints[0].url=ws://127.0.0.1:1"));
        Throwable cause = e;
        while (cause != null && !(cause instanceof MutuallyExclusiveConfigurationPropertiesException)) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof MutuallyExclusiveConfigurationPropertiesException, String.valueOf(e));
        MutuallyExclusiveConfigurationPropertiesException m = (MutuallyExclusiveConfigurationPropertiesException) cause;
        assertEquals(java.util.Set.of("codex.endpoints", "codex.dns.name"), m.getConfiguredNames());
        assertTrue(m.getMessage().contains("codex.dns.name") && m.getMessage().contains("codex.endpoints"),
                m.getMessage());
        assertFalse(offline.server().requestCount() > 0);
    }
}
