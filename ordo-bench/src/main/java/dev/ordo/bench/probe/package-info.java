/**
 * Probes: small programs that measure one thing outside JMH. Most run without Ordo, to tell the
 * machine's own behaviour from the code's: how late a periodic thread runs
 * ({@link dev.ordo.bench.probe.StallProbe}), how long a {@code write} blocks while other files are
 * forced ({@link dev.ordo.bench.probe.ForceStallProbe}), and the latency floor of forcing every batch on
 * this disk ({@link dev.ordo.bench.probe.GroupCommitProbe}), how many 1 ms parks a second 256 platform or
 * virtual threads reach and at what CPU cost, bare and through the key-ordered executor
 * ({@link dev.ordo.bench.probe.ParkRateProbe}). One compares two formats: how many offsets
 * handled beyond a commit each carries in Kafka's commit metadata
 * ({@link dev.ordo.bench.probe.CompletedOffsetsProbe}).
 */
package dev.ordo.bench.probe;
