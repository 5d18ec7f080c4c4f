package dev.codex4j.spring.boot;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexFleet;
import dev.codex4j.DnsEndpoints;
import dev.codex4j.ServerAuth;
import dev.codex4j.Supervision;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.MutuallyExclusiveConfigurationPropertiesException;

/**
 * Builds the starter's clients from {@link CodexProperties}: one {@link CodexBuilder} per
 * endpoint (with {@code codex.dns.name}, per address, as it appears), properties first, then the
 * beans (approval handler or inbox, listeners), then the customizers (given the endpoint's name, or
 * for DNS endpoints the DNS name as written). Runs once, on the thread that creates the client bean.
 */
final class CodexClients {
    private final CodexProperties props;
    private final @Nullable ApprovalHandler handler;
    private final @Nullable ApprovalInbox inbox;
    private final List<CodexEventListener> listeners;
    private final List<CodexBuilderCustomizer> customizers;
    private final DnsEndpoints.@Nullable Resolver resolver;

    CodexClients(CodexProperties props, @Nullable ApprovalHandler handler, @Nullable ApprovalInbox inbox,
            List<CodexEventListener> listeners, List<CodexBuilderCustomizer> customizers,
            DnsEndpoints.@Nullable Resolver resolver) {
        if (handler != null && inbox != null) {
            throw new IllegalStateException("Both an ApprovalHandler bean and an ApprovalInbox bean are defined;"
                    + " codex4j takes one of them: remove one, or build the Codex bean yourself");
        }
        this.props = props;
        this.handler = handler;
        this.inbox = inbox;
        this.listeners = listeners;
        this.customizers = customizers;
        this.resolver = resolver;
    }

    /** @return the single client (neither {@code codex.endpoints} nor {@code codex.dns.name}) */
    Codex codex() {
        CodexBuilder b = Codex.builder();
        connection(b, props.url(), props.auth());
        if (props.supervision().enabled()) {
            b.supervise(supervision(props.supervision()));
        }
        return settings("default", b).build();
    }

    /**
     * @return the fleet: one endpoint per {@code codex.endpoints} entry, or those of {@code codex.dns.name}
     * @throws MutuallyExclusiveConfigurationPropertiesException when both are set, or {@code codex.url}
     *     with {@code codex.dns.name}
     */
    CodexFleet fleet() {
        CodexProperties.Dns dns = props.dns();
        MutuallyExclusiveConfigurationPropertiesException.throwIfMultipleNonNullValuesIn(entries -> {
            entries.put("codex.endpoints", props.endpoints().isEmpty() ? null : props.endpoints());
            entries.put("codex.dns.name", dns.name());
        });
        MutuallyExclusiveConfigurationPropertiesException.throwIfMultipleNonNullValuesIn(entries -> {
            entries.put("codex.url", props.url());
            entries.put("codex.dns.name", dns.name());
        });
        CodexFleet.Builder fleet = CodexFleet.builder();
        if (dns.name() != null) {
            String name = dns.name().toString();
            DnsEndpoints.Builder d = DnsEndpoints.builder(dns.name(), auth(dns.auth())).configure(b -> settings(name, b));
            if (dns.refreshEvery() != null) {
                d.refreshEvery(dns.refreshEvery());
            }
            if (dns.drainGrace() != null) {
                d.drainGrace(dns.drainGrace());
            }
            if (resolver != null) {
                d.resolver(resolver);
            }
            fleet.endpoints(d.build());
        }
        int i = 0;
        for (CodexProperties.Endpoint e : props.endpoints()) {
            String name = e.name() != null ? e.name() : "endpoint-" + i;
            CodexBuilder b = Codex.builder();
            connection(b, e.url(), e.auth());
            fleet.endpoint(name, settings(name, b));
            i++;
        }
        CodexProperties.Fleet f = props.fleet();
        if (f.maxTurnsPerEndpoint() != null) {
            fleet.maxTurnsPerEndpoint(f.maxTurnsPerEndpoint());
        }
        if (f.admissionWait() != null) {
            fleet.admissionWait(f.admissionWait());
        }
        if (props.supervision().enabled()) {
            fleet.supervision(supervision(props.supervision()));
        }
        return fleet.build();
    }

    /** A running app-server at {@code url}, or else a child with the launch settings. */
    private void connection(CodexBuilder b, @Nullable URI url, CodexProperties.Auth auth) {
        if (url != null) {
            b.connect(url, auth(auth));
            return;
        }
        if (props.codexPath() != null) {
            b.codexPath(props.codexPath());
        }
        if (props.cwd() != null) {
            b.cwd(props.cwd());
        }
        props.config().forEach(b::config);
        b.env(props.env());
    }

    /** What every client takes, whatever it connects to: timeouts, admission, the beans, the customizers. */
    private CodexBuilder settings(String name, CodexBuilder b) {
        if (props.requestTimeout() != null) {
            b.requestTimeout(props.requestTimeout());
        }
        if (props.handshakeTimeout() != null) {
            b.handshakeTimeout(props.handshakeTimeout());
        }
        if (props.closeTimeout() != null) {
            b.closeTimeout(props.closeTimeout());
        }
        if (props.turnWatchdog() != null) {
            b.turnWatchdog(props.turnWatchdog());
        }
        CodexProperties.Admission a = props.admission();
        if (a.maxConcurrentTurns() != null) {
            b.maxConcurrentTurns(a.maxConcurrentTurns(), a.waitForSlot());
        }
        if (handler != null) {
            b.approvalHandler(handler);
        } else if (inbox != null) {
            b.approvalInbox(inbox);
        }
        listeners.forEach(b::eventListener);
        customizers.forEach(c -> c.customize(name, b));
        return b;
    }

    private static Supervision supervision(CodexProperties.Supervision s) {
        Supervision.Builder b = Supervision.builder();
        if (s.initialBackoff() != null) {
            b.initialBackoff(s.initialBackoff());
        }
        if (s.maxBackoff() != null) {
            b.maxBackoff(s.maxBackoff());
        }
        if (s.maxRestarts() != null || s.window() != null) {
            Supervision d = Supervision.defaults();
            b.maxRestarts(s.maxRestarts() != null ? s.maxRestarts() : d.maxRestarts(),
                    s.window() != null ? s.window() : d.window());
        }
        return b.build();
    }

    private static ServerAuth auth(CodexProperties.Auth a) {
        if (a.tokenFile() != null && a.jwtSecretFile() != null) {
            throw new IllegalArgumentException("codex auth: set either token-file or jwt-secret-file, not both");
        }
        if (a.tokenFile() != null) {
            return ServerAuth.capabilityToken(a.tokenFile());
        }
        if (a.jwtSecretFile() != null) {
            var jwt = ServerAuth.signedBearerToken().secretFile(a.jwtSecretFile());
            if (a.jwtIssuer() != null) {
                jwt.issuer(a.jwtIssuer());
            }
            if (a.jwtAudience() != null) {
                jwt.audience(a.jwtAudience());
            }
            return jwt.build();
        }
        return ServerAuth.none();
    }
}
