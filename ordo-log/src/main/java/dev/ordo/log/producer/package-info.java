/**
 * The embedded engine's producer: {@link dev.ordo.log.producer.OrdoProducer} sends records to a topic
 * asynchronously, idempotently by default, the way Kafka's producer does; behind it a sender thread
 * batches the records per partition in the log's format, within a bounded send buffer, and appends
 * and forces the batches.
 */
package dev.ordo.log.producer;
