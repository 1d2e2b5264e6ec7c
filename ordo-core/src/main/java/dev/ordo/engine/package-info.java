/**
 * What every Ordo engine shares, so that switching from the embedded log ({@code ordo-log}) to
 * Apache Kafka ({@code ordo-kafka}) is a configuration change: the {@link dev.ordo.engine.Ordering}
 * modes of consumers and the {@link dev.ordo.engine.Acknowledgement} of a sent record.
 */
package dev.ordo.engine;
