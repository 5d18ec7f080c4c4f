/** An application module that uses codex4j: {@code requires dev.codex4j} is all it takes. */
module com.example.app {
    requires dev.codex4j;

    exports com.example.app;
}
