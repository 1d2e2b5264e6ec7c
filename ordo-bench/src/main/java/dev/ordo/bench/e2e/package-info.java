/**
 * End-to-end harnesses (plain {@code main} programs, not JMH: they need per-record latency and
 * whole-run throughput): the embedded log's producers, consumers and fsync policies against Chronicle
 * Queue and raw file writes ({@link dev.ordo.bench.e2e.LogBenchmark}), key-ordered consumption on
 * Kafka against Confluent's Parallel Consumer ({@link dev.ordo.bench.e2e.KafkaKeyOrderBenchmark}), and
 * what a change of an embedded topic's partition count costs against the steady seconds around it
 * ({@link dev.ordo.bench.e2e.PartitionChangeBenchmark}), commutative records run outside key order
 * against the same records ordered per key ({@link dev.ordo.bench.e2e.CommutativeBenchmark}),
 * and an audit trail on the consumer's path against the same path unaudited
 * ({@link dev.ordo.bench.e2e.AuditOverheadBenchmark}).
 */
package dev.ordo.bench.e2e;
