/**
 * The embedded engine: {@link dev.ordo.log.engine.EmbeddedLog} creates, describes, checks and deletes
 * the topics of one data directory and appends to and reads their partitioned logs (which
 * {@code dev.ordo.log.storage} keeps), and it holds what it keeps for its clients: producer identities,
 * consumer groups and their committed offsets. The producer and the consumer live in
 * {@code dev.ordo.log.producer} and {@code dev.ordo.log.consumer}; what they need of the engine beyond
 * its API they reach through {@link dev.ordo.log.engine.ClientAccess}, which is not an API.
 */
package dev.ordo.log.engine;
