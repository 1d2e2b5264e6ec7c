/**
 * The embedded engine's consumer: {@link dev.ordo.log.consumer.OrdoConsumer} reads a topic in a
 * consumer group, the partitions the group gives it, and hands the records to the engine-neutral
 * dispatcher of {@code ordo-core}; it commits how far it got to the group's offsets file or, for
 * exactly-once effects, atomically with an application {@link dev.ordo.engine.CommittedState}
 * such as {@link dev.ordo.log.consumer.JsonSnapshotState}.
 */
package dev.ordo.log.consumer;
