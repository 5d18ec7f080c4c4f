package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.internal.runtime.StdioTransport;
import dev.codex4j.internal.runtime.Transport;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ClientNotifications;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.TypedCodec;
import dev.codex4j.protocol.types.ClientInfo;
import dev.codex4j.protocol.types.InitializeCapabilities;
import dev.codex4j.protocol.types.InitializeParams;
import dev.codex4j.protocol.types.InitializeResponse;

/**
 * Opens one link: the transport, the connection, the client's server-request chain, the
 * {@code initialize} handshake, the account check and the turn watchdog. A failure leaves nothing
 * behind (a child that does not answer the handshake is killed at once). Runs on the thread that
 * builds the client, or on the supervisor thread after a loss.
 */
final class LinkOpener {
    private final Session session;
    private final CodexOptions options;
    private final InitializeParams initParams;

    LinkOpener(Session session) {
        this.session = session;
        this.options = session.options();
        InitializeCapabilities.Builder caps = InitializeCapabilities.builder().experimentalApi(options.experimentalApi());
        if (!options.optOutNotifications().isEmpty()) {
            caps.optOutNotificationMethods(options.optOutNotifications());
        }
        this.initParams = InitializeParams.builder()
                .clientInfo(ClientInfo.builder().name(options.clientName()).title(options.clientTitle())
                        .version(options.clientVersion()).build())
                .capabilities(caps.build())
                .build();
    }

    Link open(long generation) {
        Transport transport = options.transport().open(options.launch(), options.closeTimeout(), options.linkOptions());
        Observer observer = session.observer();
        Connection connection = Connection.open(transport, options.runtimeOptions(), observer.runtimeEvents(),
                observer.requestTracer());
        try {
            connection.serverRequestHandler(session.serverRequests(null, ThreadTools.NONE, () -> null));
            InitializeResponse metadata = Session.callOn(connection, ClientMethods.INITIALIZE,
                    TypedCodec.params(initParams), Deadline.after(options.handshakeTimeout()));
            ServerVersionCheck.apply(options.versionPolicy(), metadata.userAgent());
            connection.notify(ClientNotifications.INITIALIZED.name(), TypedCodec.params(null));
            connection.subscribeGlobal(in -> {
                if (ServerNotification.AccountRateLimitsUpdated.METHOD.equals(in.method())
                        && Session.typed(in) instanceof ServerNotification.AccountRateLimitsUpdated u) {
                    try {
                        session.rateLimits().update(u.params().rateLimits());
                    } catch (RuntimeException e) {
                        // a snapshot whose members do not bind (a newer server): the limits stay as they were
                        System.getLogger(LinkOpener.class.getName()).log(System.Logger.Level.DEBUG,
                                () -> "account/rateLimits/updated not read: " + e);
                    }
                }
            });
            if (options.checkAuthentication()) {
                connection.subscribeGlobal(in -> {
                    if (ServerNotification.AccountUpdated.METHOD.equals(in.method())) {
                        connection.startThread("codex4j-account", () -> session.readAccount(connection));
                    }
                }, Integer.MAX_VALUE, Session.INTERNAL_MAX_DELAY);
                session.readAccount(connection);
            }
            new TurnWatchdog(session, connection, options.turnWatchdog()).start();
            observer.connectionOpened(connection.describe(), metadata);
            connection.onClose(observer::connectionClosed);
            return new Link(connection, generation, metadata);
        } catch (RuntimeException e) {
            if (transport instanceof StdioTransport stdio) {
                stdio.processHandle().destroyForcibly();
            }
            connection.close();
            throw e;
        }
    }
}
