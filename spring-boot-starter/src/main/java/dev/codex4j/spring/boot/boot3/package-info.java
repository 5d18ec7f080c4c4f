/** The Spring Boot 3 health indicator. */
package dev.codex4j.spring.boot.boot3;
