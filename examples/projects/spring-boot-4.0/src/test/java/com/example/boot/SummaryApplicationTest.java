package com.example.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.codex4j.spring.boot.CodexBuilderCustomizer;
import dev.codex4j.spring.boot.CodexShutdown;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

class SummaryApplicationTest {
    @Test
    void aTurnRunsInsideTheApplicationContext() {
        try (OfflineCodex offline = OfflineCodex.start();
             ConfigurableApplicationContext context = start(offline)) {
            offline.server().enqueue(ModelReply.message("Boot and codex4j get along."));

            assertEquals("Boot and codex4j get along.",
                    context.getBean(SummaryApplication.Summarizer.class).summarize("anything"));
            // the starter's client, with its graceful shutdown
            assertTrue(context.getBean(CodexShutdown.class).isRunning());
        }
    }

    @Test
    void systemLoggerOutputOfTheSdkReachesLogback() {
        try (OfflineCodex offline = OfflineCodex.start();
             ConfigurableApplicationContext context = start(offline)) {
            ListAppender<ILoggingEvent> events = new ListAppender<>();
            events.start();
            ((Logger) LoggerFactory.getLogger("dev.codex4j")).addAppender(events);

            System.getLogger("dev.codex4j.example").log(System.Logger.Level.DEBUG, "through System.Logger");

            List<String> messages = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(messages.contains("through System.Logger"), messages.toString());
            assertEquals("org.slf4j.jdk.platform.logging.SLF4JPlatformLogger",
                    System.getLogger("dev.codex4j.example").getClass().getName());
        }
    }

    @Test
    void jacksonIsBoots() {
        assertEquals("3.1.4", tools.jackson.databind.cfg.PackageVersion.VERSION.toString());
    }

    private static ConfigurableApplicationContext start(OfflineCodex offline) {
        return new SpringApplicationBuilder(SummaryApplication.class)
                .web(WebApplicationType.NONE)
                .properties("logging.level.dev.codex4j=DEBUG")
                // The one thing the properties cannot say: run the CLI against testkit's mock model.
                .initializers(c -> ((GenericApplicationContext) c).registerBean(CodexBuilderCustomizer.class,
                        () -> (endpoint, builder) -> builder.launch(offline.launch())))
                .run();
    }
}
