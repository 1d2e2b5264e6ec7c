package dev.ordo.cli.demo;

import dev.ordo.ManualTicker;
import dev.ordo.flow.OverflowPolicy;
import dev.ordo.sequence.CriticalAlert;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ledger demo's one feeding thread: tellers put their operations on the {@link FaultyChannel},
 * whatever arrives is offered to the {@link Resequencer}, and the resequencer's gap policy asks the
 * tellers for what is missing. Channel time is simulated (one arrival per microsecond on a
 * {@link ManualTicker}), so a run is reproducible from its seed.
 *
 * <p>Strict ordering: the gap policy never skips ({@link GapPolicy#neverSkip}); a teller whose
 * operations stay missing for {@code haltAfter} halts the feed instead of letting later operations be
 * applied. With one feeding thread the buffer's overflow policy is {@link OverflowPolicy#REFUSE}: an
 * operation that does not fit is not taken and its teller sends it again, as a TCP sender does with an
 * out-of-window segment; blocking would wait for a message only this thread can deliver.
 */
final class LedgerFeed {

    private static final int TICK_EVERY_STEPS = 16;
    private static final int CHECKPOINT_EVERY_STEPS = 1 << 14;
    /** The most operations a teller sends again for one request (the resequencer asks again for the rest). */
    private static final int MAX_REDELIVERED_PER_REQUEST = 10_000;

    private final LedgerSimulation.Config config;
    private final List<Txn> operations;
    private final Map<String, List<Txn>> outbox;
    private final FaultyChannel channel;
    private final ManualTicker ticker = new ManualTicker();
    private final Resequencer<String, Txn> resequencer;
    private final Map<String, Long> resumeAt;
    private long lastReleaseNanos;
    private long refused;
    private long arrived;
    private volatile int sent;

    /** Why the feed stopped before every operation was released, if it did. */
    record Halt(List<String> reasons) {}

    LedgerFeed(
            LedgerSimulation.Config config,
            List<Txn> operations,
            Map<String, List<Txn>> outbox,
            Map<String, Long> resumeAt,
            Resequencer.Sink<String, Txn> release) {
        this.config = config;
        this.operations = operations;
        this.outbox = outbox;
        this.resumeAt = resumeAt;
        this.channel = new FaultyChannel(
                config.seed() ^ 0x5DEECE66DL, config.reorderWindow(), config.duplicateRate(), config.dropRate());
        this.resequencer = Resequencer.<String, Txn>builder()
                .ticker(ticker)
                .maxBuffered(100_000)
                .overflowPolicy(OverflowPolicy.REFUSE)
                .resumeFrom(resumeAt)
                .gapPolicy(GapPolicy.neverSkip(initialBackoff(), maxBackoff(), config.haltAfter()))
                .redeliveryRequester(this::redeliver)
                .build((producer, sequence, txn) -> {
                    lastReleaseNanos = ticker.read();
                    release.accept(producer, sequence, txn);
                });
    }

    /** The first request for a missing operation: after about four reorder windows of channel time. */
    private Duration initialBackoff() {
        return min(micros(4L * config.reorderWindow()), config.haltAfter().dividedBy(64));
    }

    /** Later requests, doubling up to about 64 reorder windows, and at least eight before a halt. */
    private Duration maxBackoff() {
        return min(micros(64L * config.reorderWindow()), config.haltAfter().dividedBy(8));
    }

    Resequencer<String, Txn> resequencer() {
        return resequencer;
    }

    /**
     * Runs until every operation is released (then empty), or until a teller halted or nothing was
     * released for {@code haltAfter} (then why). {@code arrival} sees every message the channel delivers;
     * {@code checkpoint} runs now and then.
     */
    Optional<Halt> run(Consumer<Txn> arrival, Runnable checkpoint) {
        long step = 0;
        long nextTick = TICK_EVERY_STEPS;
        long nextCheckpoint = CHECKPOINT_EVERY_STEPS;
        long retransmitEvery = 64L * config.reorderWindow();
        long nextRetransmit = retransmitEvery;
        lastReleaseNanos = ticker.read();
        while (!allReleased()) {
            fillChannel();
            // One step a message; steps where nothing can arrive (the channel holds only later copies, or
            // nothing) pass at once, up to the next tick: a simulation, not a wait.
            long steps = 1 + channel.skipIdle(Math.max(0, nextTick - step - 1));
            ticker.advance(Duration.ofNanos(1_000 * steps));
            step += steps;
            Txn txn = channel.next();
            if (txn != null) {
                arrived++;
                arrival.accept(txn);
                if (resequencer.offer(txn.producer(), txn.sequence(), txn) == Resequencer.Offer.REFUSED) {
                    refused++;
                    channel.redeliver(txn); // not taken: its teller sends it again
                }
            }
            if (step >= nextTick) {
                nextTick = step + TICK_EVERY_STEPS;
                resequencer.tick();
                Optional<Halt> halt = halt();
                if (halt.isPresent()) {
                    return halt;
                }
            }
            if (step >= nextCheckpoint) {
                nextCheckpoint = step + CHECKPOINT_EVERY_STEPS;
                checkpoint.run();
            }
            if (step >= nextRetransmit) {
                nextRetransmit = step + retransmitEvery;
                if (sent == operations.size() && channel.isEmpty()) {
                    retransmitTails();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Applies every operation as it arrives, without Ordo (to show what goes wrong); {@code arrival} sees
     * them, {@code apply} applies them.
     */
    void runUnordered(Consumer<Txn> arrival, Consumer<Txn> apply) {
        while (sent < operations.size() || !channel.isEmpty()) {
            fillChannel();
            ticker.advance(Duration.ofNanos(1_000));
            Txn txn = channel.next();
            if (txn != null) {
                arrived++;
                arrival.accept(txn);
                apply.accept(txn);
            }
        }
    }

    private void fillChannel() {
        while (sent < operations.size() && !channel.full()) {
            Txn txn = operations.get(sent++);
            if (txn.sequence() >= resumeAt.getOrDefault(txn.producer(), 0L)) { // else applied before a restart
                channel.send(txn);
            }
        }
    }

    /** A halted teller, or nothing released for {@code haltAfter} while operations are missing. */
    private Optional<Halt> halt() {
        List<CriticalAlert<String>> alerts = resequencer.halted();
        if (!alerts.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            alerts.forEach(alert -> reasons.add(alert.describe()));
            return Optional.of(new Halt(reasons));
        }
        if (ticker.read() - lastReleaseNanos < config.haltAfter().toNanos()) {
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        outbox.forEach((producer, txns) -> {
            long next = resequencer.nextExpected(producer);
            if (next < txns.size()) {
                reasons.add("teller " + producer + " stalled: operation " + next + " of " + txns.size()
                        + " missing for " + config.haltAfter().toMillis() + " ms of channel time, no later one"
                        + " arrived to show the gap, and its re-sends were lost too");
            }
        });
        return Optional.of(new Halt(reasons));
    }

    /** What the feed waits for, for a status line: the oldest gap, or a teller whose last operations are missing. */
    Optional<String> waitingFor() {
        return resequencer
                .oldestGap()
                .map(gap -> "waiting for teller " + gap.source() + " operation " + gap.from()
                        + " since " + gap.age().toMillis() + " ms of channel time (" + gap.heldBehind()
                        + " held behind it)");
    }

    /** Every operation sent has been released (each teller's next expected one is past its last). */
    boolean allReleased() {
        if (sent < operations.size()) {
            return false;
        }
        for (Map.Entry<String, List<Txn>> e : outbox.entrySet()) {
            if (resequencer.nextExpected(e.getKey()) < e.getValue().size()) {
                return false;
            }
        }
        return true;
    }

    /** The tellers' missing operations, asked for by the resequencer: sent again (and maybe lost again). */
    private void redeliver(String producer, long from, long to, int attempt) {
        List<Txn> txns = outbox.get(producer);
        long last = Math.min(Math.min(to, txns.size() - 1L), from + MAX_REDELIVERED_PER_REQUEST - 1);
        for (long s = from; s <= last; s++) {
            channel.redeliver(txns.get((int) s));
        }
    }

    /**
     * A lost operation at the very end of a teller's stream reveals no gap, so the teller sends its
     * unreleased last operation again now and then, as TCP's retransmission timer does.
     */
    private void retransmitTails() {
        outbox.forEach((producer, txns) -> {
            if (resequencer.nextExpected(producer) < txns.size()) {
                channel.redeliver(txns.get(txns.size() - 1));
            }
        });
    }

    int sent() {
        return sent;
    }

    long arrived() {
        return arrived;
    }

    long refused() {
        return refused;
    }

    FaultyChannel channel() {
        return channel;
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(micros * 1_000);
    }

    private static Duration min(Duration a, Duration b) {
        Duration smaller = a.compareTo(b) <= 0 ? a : b;
        return smaller.isZero() ? Duration.ofNanos(1_000) : smaller;
    }
}
