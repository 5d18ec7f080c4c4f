/**
 * The methods of the Codex app-server protocol: a typed descriptor for every client request
 * ({@link dev.codex4j.protocol.methods.ClientMethods}), client notification and server request,
 * the sealed {@link dev.codex4j.protocol.methods.ServerNotification} and
 * {@link dev.codex4j.protocol.methods.ServerRequest} unions, and
 * {@link dev.codex4j.protocol.methods.TypedCodec} between them and the JSON-RPC message model.
 * Everything but the descriptor records and {@code TypedCodec} is generated from the schema.
 */
@org.jspecify.annotations.NullMarked
package dev.codex4j.protocol.methods;
