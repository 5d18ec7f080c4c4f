/**
 * Support for the generated protocol types: strict JSON readers and writers, the member-order
 * cache, and the Jackson adapters that delegate to each type's codec. Not exported; not API.
 */
@org.jspecify.annotations.NullMarked
package dev.codex4j.protocol.internal;
