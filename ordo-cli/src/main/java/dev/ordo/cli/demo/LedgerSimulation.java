package dev.ordo.cli.demo;

import dev.ordo.ManualTicker;
import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.metrics.OrdoMetrics;
import dev.ordo.sequence.GapPolicy;
import dev.ordo.sequence.Resequencer;
import dev.ordo.sequence.ResequencerStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The ledger demo: tellers (producers) issue numbered deposits and withdrawals for the accounts
 * they own; a {@link FaultyChannel} reorders, duplicates and drops them; Ordo's
 * {@link Resequencer} (asking for redelivery of what is missing) releases them in teller order to
 * a {@link LedgerDownstream} that applies them to a {@link Ledger}, parallel across accounts and
 * serial per account: in memory on a key-ordered executor, or through the embedded engine's durable
 * log and a consumer group whose committed state is the ledger ({@link EngineDownstream}), which
 * survives being killed and restarted. Because an
 * overdrawing withdrawal is rejected, the balances are right only if every account saw exactly
 * its operations, once each, in the teller's order.
 *
 * <p>Channel time is simulated (one arrival per microsecond on a {@link ManualTicker}), so a run
 * is reproducible from its seed; the handlers run on real threads.
 */
public final class LedgerSimulation {

    /** How to run. Rates are probabilities in [0, 1). */
    public record Config(
            int accounts,
            int operations,
            int producers,
            int reorderWindow,
            double duplicateRate,
            double dropRate,
            long seed,
            int threads,
            boolean reorder) {

        public Config {
            requireAtLeast("accounts", accounts, 1);
            requireAtLeast("operations", operations, 0);
            requireAtLeast("producers", producers, 1);
            requireAtLeast("reorderWindow", reorderWindow, 1);
            requireAtLeast("threads", threads, 1);
            requireRate("duplicateRate", duplicateRate);
            requireRate("dropRate", dropRate);
            if (producers > accounts) {
                throw new IllegalArgumentException(
                        "producers must be <= accounts (" + accounts + "), was " + producers);
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
    public record Result(
            Config config,
            long elapsedNanos,
            CheckReport onArrival,
            CheckReport resequenced,
            CheckReport applied,
            History appliedHistory,
            long liveViolations,
            int accountsMatching,
            long arrivals,
            long dropped,
            long duplicated,
            long redelivered,
            ResequencerStats resequencer,
            long peakInFlight,
            long duplicatesDropped,
            String backend) {

        public boolean passed() {
            return accountsMatching == config.accounts() && resequenced.isClean() && applied.isClean();
        }

        public double operationsPerSecond() {
            return elapsedNanos == 0 ? 0 : config.operations() * 1e9 / elapsedNanos;
        }
    }

    private static final int TICK_EVERY_STEPS = 16;

    private static final int CHECKPOINT_EVERY_STEPS = 1 << 14;

    private final Config config;
    private final MeterRegistry registry;
    /** Where released operations are applied. */
    private final LedgerDownstream.Backend backend;

    private final AtomicLong progress = new AtomicLong();
    /** The stages of the last run, kept reachable so that their meters stay readable after it. */
    private volatile List<Object> stages = List.of();

    private volatile Resequencer<String, Txn> liveResequencer;
    private volatile LedgerDownstream liveDownstream;
    private volatile OrderingMonitor<String> liveMonitor;

    /** A snapshot for a status line while the simulation runs. */
    public record Status(long sent, long applied, int buffered, long inFlight, long violations) {}

    /** What the running simulation is doing now. */
    public Status status() {
        Resequencer<String, Txn> r = liveResequencer;
        LedgerDownstream d = liveDownstream;
        OrderingMonitor<String> m = liveMonitor;
        if (r == null || d == null || m == null) {
            return new Status(progress.get(), 0, 0, 0, 0);
        }
        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += m.count(v);
        }
        return new Status(progress.get(), d.ledger().applied.get(), r.stats().buffered(), d.inFlight(), violations);
    }

    public LedgerSimulation(Config config) {
        this(config, new SimpleMeterRegistry(), LedgerDownstream.Backend.IN_MEMORY);
    }

    /**
     * A simulation whose stages report their meters to {@code registry}, applying in memory
     * ({@code engineData == null}) or through the embedded engine in {@code engineData}, resuming
     * from what a killed earlier run left there.
     */
    public LedgerSimulation(Config config, MeterRegistry registry, Path engineData) {
        this(
                config,
                registry,
                engineData == null ? LedgerDownstream.Backend.IN_MEMORY : LedgerDownstream.Backend.engine(engineData));
    }

    /** A simulation applying through {@code backend}, its stages reporting to {@code registry}. */
    public LedgerSimulation(Config config, MeterRegistry registry, LedgerDownstream.Backend backend) {
        this.config = config;
        this.registry = registry;
        this.backend = backend;
    }

    /** Operations handed to the channel so far; for a progress display. */
    public long progress() {
        return progress.get();
    }

    public Result run() throws Exception {
        List<Txn> operations = generate();
        Ledger reference = reference(operations);
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

        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .stage("ledger-applied")
                .registry(registry)
                .firstSequence(0)
                .build();
        FaultyChannel channel = new FaultyChannel(
                config.seed() ^ 0x5DEECE66DL, config.reorderWindow(), config.duplicateRate(), config.dropRate());
        ManualTicker ticker = new ManualTicker();
        long start = System.nanoTime();
        long arrived = 0;
        ResequencerStats resequencerStats;
        long peakInFlight;
        Ledger ledger;
        // With ordering, an operation the ledger has seen (a teller re-sending after a restart) is
        // dropped by its sequence number; without, everything is applied as it comes.
        BiConsumer<Ledger, Txn> apply = (target, txn) -> {
            if (config.reorder()) {
                if (!target.applyOnce(txn)) {
                    return;
                }
            } else {
                target.apply(txn);
            }
            applied.received(txn.asUnsequencedMessage());
            monitor.observe(txn.account(), txn.accountSequence());
        };
        try (LedgerDownstream downstream = backend.open(config.threads(), registry, apply)) {
            Resequencer.Sink<String, Txn> release = (producer, sequence, txn) -> {
                resequenced.received(txn.asMessage());
                downstream.submit(txn);
            };
            Map<String, Long> resume = downstream.restoredCheckpoint();
            Resequencer<String, Txn> resequencer = Resequencer.<String, Txn>builder()
                    .ticker(ticker)
                    .maxBuffered(100_000)
                    .resumeFrom(resume)
                    .gapPolicy(GapPolicy.requestRedelivery(
                            micros(4L * config.reorderWindow()),
                            micros(64L * config.reorderWindow()),
                            Duration.ofSeconds(30)))
                    .redeliveryRequester((producer, from, to, attempt) -> {
                        for (long s = from; s <= to; s++) {
                            channel.redeliver(outbox.get(producer).get((int) s));
                        }
                    })
                    .build(release);
            stages = List.of(resequencer, downstream);
            liveResequencer = resequencer;
            liveDownstream = downstream;
            liveMonitor = monitor;
            OrdoMetrics.resequencer(resequencer, "ledger").bindTo(registry);

            int sent = 0;
            long step = 0;
            while (sent < operations.size() || !channel.isEmpty() || !allReleased(resequencer, outbox)) {
                while (sent < operations.size() && !channel.full()) {
                    Txn txn = operations.get(sent++);
                    if (txn.sequence() >= resume.getOrDefault(txn.producer(), 0L)) { // else applied before a restart
                        channel.send(txn);
                    }
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
                        release.accept(txn.producer(), txn.sequence(), txn);
                    }
                }
                if (step % TICK_EVERY_STEPS == 0) {
                    resequencer.tick();
                }
                if (step % CHECKPOINT_EVERY_STEPS == 0 && config.reorder()) {
                    downstream.checkpoint(resequencer::checkpoint);
                }
                if (sent == operations.size() && channel.isEmpty() && step % (64L * config.reorderWindow()) == 0) {
                    retransmitTails(resequencer, outbox, channel);
                }
            }
            if (config.reorder()) {
                downstream.checkpoint(resequencer::checkpoint);
                downstream.awaitApplied(lastSequencePerAccount(operations));
            } else {
                downstream.awaitApplied(Map.of());
            }
            resequencerStats = resequencer.stats();
            peakInFlight = downstream.peakInFlight();
            ledger = downstream.ledger();
        }
        long elapsed = System.nanoTime() - start;

        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += monitor.count(v);
        }
        return new Result(
                config,
                elapsed,
                arrivals.check(),
                resequenced.check(),
                applied.check(),
                applied,
                violations,
                accountsMatching(ledger, reference),
                arrived,
                channel.dropped(),
                channel.duplicated(),
                channel.redelivered(),
                resequencerStats,
                peakInFlight,
                ledger.duplicatesDropped.get(),
                backend.name());
    }

    /** The balances the operations give when applied one by one in the tellers' order. */
    static Ledger reference(List<Txn> operations) {
        Ledger reference = new Ledger();
        operations.forEach(reference::apply);
        return reference;
    }

    /** The reference ledger of {@code config}'s operations. */
    static Ledger reference(Config config) {
        return reference(new LedgerSimulation(config).generate());
    }

    /** Accounts whose balance and number of applied operations equal the reference's. */
    int accountsMatching(Ledger ledger, Ledger reference) {
        int matching = 0;
        for (int a = 0; a < config.accounts(); a++) {
            String account = account(a);
            if (ledger.balance(account) == reference.balance(account)
                    && ledger.appliedTo(account) == reference.appliedTo(account)) {
                matching++;
            }
        }
        return matching;
    }

    private static Map<String, Long> lastSequencePerAccount(List<Txn> operations) {
        Map<String, Long> last = new HashMap<>();
        for (Txn txn : operations) {
            last.put(txn.account(), txn.sequence());
        }
        return last;
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
    private void retransmitTails(
            Resequencer<String, Txn> resequencer, Map<String, List<Txn>> outbox, FaultyChannel channel) {
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
