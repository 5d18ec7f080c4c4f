package dev.codex4j.spring.boot;

import dev.codex4j.ApprovalHandler;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.Codex;
import dev.codex4j.CodexBuilder;
import dev.codex4j.CodexEventListener;
import dev.codex4j.CodexFleet;
import dev.codex4j.ServerAuth;
import dev.codex4j.Supervision;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Builds the starter's clients from {@link CodexProperties}: one {@link CodexBuilder} per
 * endpoint, properties first, then the beans (approval handler or inbox, listeners), then the
 * customizers. Runs once, on the thread that creates the client bean.
 */
final class CodexClients {
    private final CodexProperties props;
    private final @Nullable ApprovalHandler handler;
    private final @Nullable ApprovalInbox inbox;
    private final List<CodexEventListener> listeners;
    private final List<CodexBuilderCustomizer> customizers;

    CodexClients(CodexProperties props, @Nullable ApprovalHandler handler, @Nullable ApprovalInbox inbox,
            List<CodexEventListener> listeners, List<CodexBuilderCustomizer> customizers) {
        if (handler != null && inbox != null) {
            throw new IllegalStateException("Both an ApprovalHandler bean and an ApprovalInbox bean are defined;"
                    + " codex4j takes one of them: remove one, or build the Codex bean yourself");
        }
        this.props = props;
        this.handler = handler;
        this.inbox = inbox;
        this.listeners = listeners;
        this.customizers = customizers;
    }

    /** @return the single client ({@code codex.endpoints} empty) */
    Codex codex() {
        return builder("default", props.getUrl(), props.getAuth()).build();
    }

    /** @return the fleet, one endpoint per {@code codex.endpoints} entry */
    CodexFleet fleet() {
        CodexFleet.Builder fleet = CodexFleet.builder();
        int i = 0;
        for (CodexProperties.Endpoint e : props.getEndpoints()) {
            String name = e.getName() != null ? e.getName() : "endpoint-" + i;
            fleet.endpoint(name, builder(name, e.getUrl(), e.getAuth()));
            i++;
        }
        CodexProperties.Fleet f = props.getFleet();
        if (f.getMaxTurnsPerEndpoint() != null) {
            fleet.maxTurnsPerEndpoint(f.getMaxTurnsPerEndpoint());
        }
        if (f.getAdmissionWait() != null) {
            fleet.admissionWait(f.getAdmissionWait());
        }
        if (props.getSupervision().isEnabled()) {
            fleet.supervision(supervision(props.getSupervision()));
        }
        return fleet.build();
    }

    private CodexBuilder builder(String name, @Nullable URI url, CodexProperties.Auth auth) {
        CodexBuilder b = Codex.builder();
        if (url != null) {
            b.connect(url, auth(auth));
        } else {
            if (props.getCodexPath() != null) {
                b.codexPath(props.getCodexPath());
            }
            if (props.getCwd() != null) {
                b.cwd(props.getCwd());
            }
            props.getConfig().forEach(b::config);
            b.env(props.getEnv());
        }
        if (props.getRequestTimeout() != null) {
            b.requestTimeout(props.getRequestTimeout());
        }
        if (props.getHandshakeTimeout() != null) {
            b.handshakeTimeout(props.getHandshakeTimeout());
        }
        if (props.getCloseTimeout() != null) {
            b.closeTimeout(props.getCloseTimeout());
        }
        if (props.getTurnWatchdog() != null) {
            b.turnWatchdog(props.getTurnWatchdog());
        }
        if (props.getSupervision().isEnabled() && props.getEndpoints().isEmpty()) {
            b.supervise(supervision(props.getSupervision()));
        }
        CodexProperties.Admission a = props.getAdmission();
        if (a.getMaxConcurrentTurns() != null) {
            b.maxConcurrentTurns(a.getMaxConcurrentTurns(), a.getWait());
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
        if (s.getInitialBackoff() != null) {
            b.initialBackoff(s.getInitialBackoff());
        }
        if (s.getMaxBackoff() != null) {
            b.maxBackoff(s.getMaxBackoff());
        }
        if (s.getMaxRestarts() != null || s.getWindow() != null) {
            Supervision d = Supervision.defaults();
            b.maxRestarts(s.getMaxRestarts() != null ? s.getMaxRestarts() : d.maxRestarts(),
                    s.getWindow() != null ? s.getWindow() : d.window());
        }
        return b.build();
    }

    private static ServerAuth auth(CodexProperties.Auth a) {
        if (a.getTokenFile() != null && a.getJwtSecretFile() != null) {
            throw new IllegalArgumentException("codex auth: set either token-file or jwt-secret-file, not both");
        }
        if (a.getTokenFile() != null) {
            return ServerAuth.capabilityToken(a.getTokenFile());
        }
        if (a.getJwtSecretFile() != null) {
            var jwt = ServerAuth.signedBearerToken().secretFile(a.getJwtSecretFile());
            if (a.getJwtIssuer() != null) {
                jwt.issuer(a.getJwtIssuer());
            }
            if (a.getJwtAudience() != null) {
                jwt.audience(a.getJwtAudience());
            }
            return jwt.build();
        }
        return ServerAuth.none();
    }
}
