/**
 * End-to-end harnesses (plain {@code main} programs, not JMH: they need per-record latency and
 * whole-run throughput): the embedded log's producers, consumers and fsync policies against Chronicle
 * Queue and raw file writes ({@link dev.ordo.bench.e2e.LogBenchmark}), and key-ordered consumption on
 * Kafka against Confluent's Parallel Consumer ({@link dev.ordo.bench.e2e.KafkaKeyOrderBenchmark}).
 */
package dev.ordo.bench.e2e;
