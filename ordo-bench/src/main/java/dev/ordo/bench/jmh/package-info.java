/**
 * JMH micro benchmarks, each with its baseline in the same run: the resequencer against a priority
 * queue and Apache Camel's resequencer, the key-ordered executor against a thread pool and the LMAX
 * Disruptor, event-time and causal reordering against a heap, the ordering monitor's overhead, and
 * segment appends against raw file writes. Run them from the shaded jar ({@code java -jar
 * ordo-bench/target/benchmarks.jar NAME}); BENCHMARKS.md has the commands and the current figures.
 */
package dev.ordo.bench.jmh;
