package com.example.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.codex4j.spring.boot.CodexBuilderCustomizer;
import dev.codex4j.spring.boot.CodexShutdown;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

class SummaryApplicationTest {
    @Test
    void aTurnRunsInsideTheApplicationContext() {
        try (OfflineCodex offline = OfflineCodex.start();
             ConfigurableApplicationContext context = new SpringApplicationBuilder(SummaryApplication.class)
                     .web(WebApplicationType.NONE)
                     // The one thing the properties cannot say: run the CLI against testkit's mock model.
                     .initializers(c -> ((GenericApplicationContext) c).registerBean(CodexBuilderCustomizer.class,
                             () -> (endpoint, builder) -> builder.launch(offline.launch())))
                     .run()) {
            offline.server().enqueue(ModelReply.message("Boot and codex4j get along."));

            assertEquals("Boot and codex4j get along.",
                    context.getBean(SummaryApplication.Summarizer.class).summarize("anything"));
            // the starter's client, with its graceful shutdown
            assertTrue(context.getBean(CodexShutdown.class).isRunning());
            // Boot's own Jackson 2 is there beside codex4j's Jackson 3.
            assertTrue(context.getBeanNamesForType(ObjectMapper.class).length > 0);
        }
    }

    @Test
    void jacksonAnnotationsIsTheBomsNotBoots() {
        String version = com.fasterxml.jackson.annotation.JsonInclude.class.getPackage().getImplementationVersion();
        assertEquals("2.21", version);
    }
}
