/**
 * Probes: small programs that measure one thing outside JMH. Most run without Ordo, to tell the
 * machine's own behaviour from the code's: how late a periodic thread runs
 * ({@link dev.ordo.bench.probe.StallProbe}), how long a {@code write} blocks while other files are
 * forced ({@link dev.ordo.bench.probe.ForceStallProbe}), and the latency floor of forcing every batch on
 * this disk ({@link dev.ordo.bench.probe.GroupCommitProbe}). One compares two formats: how many offsets
 * handled beyond a commit each carries in Kafka's commit metadata
 * ({@link dev.ordo.bench.probe.CompletedOffsetsProbe}).
 */
package dev.ordo.bench.probe;
