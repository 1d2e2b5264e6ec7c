package dev.ordo.cli.demo;

import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import dev.ordo.sequence.ResequencerStats;
import dev.ordo.time.ManualTicker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger demo: tellers (producers) issue numbered deposits and withdrawals for the accounts
 * they own; a {@link FaultyChannel} reorders, duplicates and drops them; Ordo's
 * {@link Resequencer} (asking for redelivery of what is missing) and {@link KeyOrderedExecutor}
 * (parallel across accounts, serial per account) apply them to a {@link Ledger}. Because an
 * overdrawing withdrawal is rejected, the balances are right only if every account saw exactly
 * its operations, once each, in the teller's order.
 *
 * <p>Channel time is simulated (one arrival per microsecond on a {@link ManualTicker}), so a run
 * is reproducible from its seed; the handlers run on real threads.
 */
public final class LedgerSimulation {

    /** How to run. Rates are probabilities in [0, 1). */
    public record Config(int accounts, int operations, int producers, int reorderWindow,
            double duplicateRate, double dropRate, long seed, int threads, boolean reorder) {

        public Config {
            requireAtLeast("accounts", accounts, 1);
            requireAtLeast("operations", operations, 0);
            requireAtLeast("producers", producers, 1);
            requireAtLeast("reorderWindow", reorderWindow, 1);
            requireAtLeast("threads", threads, 1);
            requireRate("duplicateRate", duplicateRate);
            requireRate("dropRate", dropRate);
            if (producers > accounts) {
                throw new IllegalArgumentException("producers must be <= accounts (" + accounts + "), was " + producers);
            }
        }

        private static void requireAtLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
            }
        }

        private static void requireRate(String name, double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(name + " must be in [0, 1), was " + value);
            }
        }
    }

    /** What happened. */
    public record Result(Config config, long elapsedNanos, CheckReport onArrival, CheckReport resequenced,
            CheckReport applied, History appliedHistory, long liveViolations,
            int accountsMatching, long arrivals, long dropped, long duplicated, long redelivered,
            ResequencerStats resequencer, long peakInFlight) {

        public boolean passed() {
            return accountsMatching == config.accounts() && resequenced.isClean() && applied.isClean();
        }

        public double operationsPerSecond() {
            return elapsedNanos == 0 ? 0 : config.operations() * 1e9 / elapsedNanos;
        }
    }

    private static final int TICK_EVERY_STEPS = 16;

    private final Config config;
    private final MeterRegistry registry;
    private final AtomicLong progress = new AtomicLong();
    /** The stages of the last run, kept reachable so that their meters stay readable after it. */
    private volatile List<Object> stages = List.of();
    private volatile Resequencer<String, Txn> liveResequencer;
    private volatile KeyOrderedExecutor<String> liveExecutor;
    private volatile OrderingMonitor<String> liveMonitor;

    /** A snapshot for a status line while the simulation runs. */
    public record Status(long sent, long applied, int buffered, long inFlight, long violations) {
    }

    /** What the running simulation is doing now. */
    public Status status() {
        Resequencer<String, Txn> r = liveResequencer;
        KeyOrderedExecutor<String> e = liveExecutor;
        OrderingMonitor<String> m = liveMonitor;
        if (r == null || e == null || m == null) {
            return new Status(progress.get(), 0, 0, 0, 0);
        }
        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += m.count(v);
        }
        var stats = e.stats();
        return new Status(progress.get(), stats.succeeded() + stats.deadLettered(), r.stats().buffered(), stats.inFlight(),
                violations);
    }

    public LedgerSimulation(Config config) {
        this(config, new SimpleMeterRegistry());
    }

    /** A simulation whose stages report their meters to {@code registry}. */
    public LedgerSimulation(Config config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Operations handed to the channel so far; for a progress display. */
    public long progress() {
        return progress.get();
    }

    public Result run() {
        List<Txn> operations = generate();
        Ledger reference = new Ledger();
        operations.forEach(reference::apply);
        Map<String, List<Txn>> outbox = new HashMap<>();
        // Three vantage points: what the channel delivered, what the resequencer released (in
        // teller order, so gaps are visible) and what the handlers applied (in order per account
        // only: accounts run in parallel, so there the sequence is not checked).
        History arrivals = new History();
        History resequenced = new History();
        History applied = new History();
        for (Txn txn : operations) {
            outbox.computeIfAbsent(txn.producer(), p -> new ArrayList<>()).add(txn);
            arrivals.sent(txn.asMessage());
            resequenced.sent(txn.asMessage());
            applied.sent(txn.asUnsequencedMessage());
        }

        Ledger ledger = new Ledger();
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .stage("ledger-applied").registry(registry).firstSequence(0).build();
        FaultyChannel channel = new FaultyChannel(config.seed() ^ 0x5DEECE66DL, config.reorderWindow(),
                config.duplicateRate(), config.dropRate());
        ManualTicker ticker = new ManualTicker();
        long start = System.nanoTime();
        long arrived = 0;
        ResequencerStats resequencerStats;
        long peakInFlight;
        try (KeyOrderedExecutor<String> executor = KeyOrderedExecutor.<String>builder()
                .concurrency(config.threads()).maxInFlight(10_000).threadName("ledger").build()) {
            Resequencer.Sink<String, Txn> apply = (producer, sequence, txn) -> {
                resequenced.received(txn.asMessage());
                executor.submit(txn.account(), () -> {
                    ledger.apply(txn);
                    applied.received(txn.asUnsequencedMessage());
                    monitor.observe(txn.account(), txn.accountSequence());
                });
            };
            Resequencer<String, Txn> resequencer = Resequencer.<String, Txn>builder()
                    .ticker(ticker)
                    .maxBuffered(100_000)
                    .gapPolicy(GapPolicy.requestRedelivery(micros(4L * config.reorderWindow()),
                            micros(64L * config.reorderWindow()), Duration.ofSeconds(30)))
                    .redeliveryRequester((producer, from, to, attempt) -> {
                        for (long s = from; s <= to; s++) {
                            channel.redeliver(outbox.get(producer).get((int) s));
                        }
                    })
                    .build(apply);
            stages = List.of(resequencer, executor);
            liveResequencer = resequencer;
            liveExecutor = executor;
            liveMonitor = monitor;
            OrdoMetrics.resequencer(resequencer, "ledger").bindTo(registry);
            OrdoMetrics.executor(executor, "ledger").bindTo(registry);

            int sent = 0;
            long step = 0;
            while (sent < operations.size() || !channel.isEmpty() || !allReleased(resequencer, outbox)) {
                while (sent < operations.size() && !channel.full()) {
                    channel.send(operations.get(sent++));
                }
                progress.set(sent);
                ticker.advance(Duration.ofNanos(1_000));
                step++;
                Txn txn = channel.next();
                if (txn != null) {
                    arrived++;
                    arrivals.received(txn.asMessage());
                    if (config.reorder()) {
                        resequencer.offer(txn.producer(), txn.sequence(), txn);
                    } else {
                        apply.accept(txn.producer(), txn.sequence(), txn);
                    }
                }
                if (step % TICK_EVERY_STEPS == 0) {
                    resequencer.tick();
                }
                if (sent == operations.size() && channel.isEmpty() && step % (64L * config.reorderWindow()) == 0) {
                    retransmitTails(resequencer, outbox, channel);
                }
            }
            executor.close();
            resequencerStats = resequencer.stats();
            peakInFlight = executor.stats().peakInFlight();
        }
        long elapsed = System.nanoTime() - start;

        int matching = 0;
        for (int a = 0; a < config.accounts(); a++) {
            String account = account(a);
            if (ledger.balance(account) == reference.balance(account)) {
                matching++;
            }
        }
        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += monitor.count(v);
        }
        return new Result(config, elapsed, arrivals.check(), resequenced.check(), applied.check(), applied, violations,
                matching, arrived,
                channel.dropped(), channel.duplicated(), channel.redelivered(), resequencerStats, peakInFlight);
    }

    /**
     * Without ordering nothing waits for missing messages; with it, a run ends when every
     * producer's last message has been released.
     */
    private boolean allReleased(Resequencer<String, Txn> resequencer, Map<String, List<Txn>> outbox) {
        if (!config.reorder()) {
            return true;
        }
        for (Map.Entry<String, List<Txn>> e : outbox.entrySet()) {
            if (resequencer.nextExpected(e.getKey()) < e.getValue().size()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A lost message at the very end of a producer's stream reveals no gap, so the producer
     * re-sends its unreleased last message now and then, as TCP's retransmission timer does.
     */
    private void retransmitTails(Resequencer<String, Txn> resequencer, Map<String, List<Txn>> outbox,
            FaultyChannel channel) {
        if (!config.reorder()) {
            return;
        }
        outbox.forEach((producer, txns) -> {
            if (resequencer.nextExpected(producer) < txns.size()) {
                channel.redeliver(txns.get(txns.size() - 1));
            }
        });
    }

    private List<Txn> generate() {
        SplittableRandom random = new SplittableRandom(config.seed());
        long[] sequences = new long[config.producers()];
        long[] perAccount = new long[config.accounts()];
        List<Txn> operations = new ArrayList<>(config.operations());
        for (int i = 0; i < config.operations(); i++) {
            int a = random.nextInt(config.accounts());
            int producer = a % config.producers();
            long amount = random.nextInt(100) < 60 ? 1 + random.nextInt(500) : -(1 + random.nextInt(600));
            operations.add(new Txn(account(a), amount, "teller-" + producer, sequences[producer]++, perAccount[a]++));
        }
        return operations;
    }

    private static String account(int a) {
        return "ACC-" + a;
    }

    private static Duration micros(long micros) {
        return Duration.ofNanos(micros * 1_000);
    }
}
