package dev.ordo.cli.demo;

import dev.ordo.check.CheckReport;
import dev.ordo.check.History;
import dev.ordo.check.Message;
import dev.ordo.check.OrderingMonitor;
import dev.ordo.metrics.OrdoMetrics;
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
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The ledger demo: tellers (producers) issue numbered deposits and withdrawals for the accounts they
 * own; a {@link FaultyChannel} reorders, duplicates and drops them; Ordo's {@link Resequencer}
 * releases them in teller order, never skipping one ({@link LedgerFeed}), to a {@link LedgerDownstream}
 * that applies them to a {@link Ledger}, parallel across accounts and serial per account: in memory on
 * a key-ordered executor, through the embedded engine's durable log and a consumer group whose committed
 * state is the ledger ({@link EngineDownstream}), or through Kafka. Because an overdrawing withdrawal is
 * rejected, the balances are right only if every account saw exactly its operations, once each, in the
 * teller's order.
 *
 * <p>A run ends {@link Outcome#PASS passed} (everything applied, every balance equal to the sequential
 * reference), {@link Outcome#HALTED halted} (a teller's operations stayed missing: nothing after them
 * was applied, and the balances of what was applied equal the reference of that prefix), or
 * {@link Outcome#FAIL failed} (a balance is wrong: a bug, or {@code --no-ordering}). Never a wrong
 * balance with ordering on, never a hang: a halt is bounded by {@code haltAfter} of channel time.
 */
public final class LedgerSimulation {

    /** How a run ended. */
    public enum Outcome {
        /** Everything applied; every balance matches the sequential reference. */
        PASS,
        /** A teller's operations stayed missing; what was applied before them matches the reference. */
        HALTED,
        /** A balance is wrong, or the delivered stream shows an anomaly. */
        FAIL
    }

    /**
     * How to run. Rates are probabilities: duplicates in [0, 1], drops in [0, 1). {@code haltAfter} is
     * how long (channel time) operations may stay missing before their teller halts the run.
     */
    public record Config(
            int accounts,
            int operations,
            int producers,
            int reorderWindow,
            double duplicateRate,
            double dropRate,
            long seed,
            int threads,
            boolean reorder,
            Duration haltAfter) {

        public Config {
            requireAtLeast("accounts", accounts, 1);
            requireAtLeast("operations", operations, 0);
            requireAtLeast("producers", producers, 1);
            requireAtLeast("reorderWindow", reorderWindow, 1);
            requireAtLeast("threads", threads, 1);
            if (!(duplicateRate >= 0 && duplicateRate <= 1)) {
                throw new IllegalArgumentException("duplicateRate must be in [0, 1], was " + duplicateRate);
            }
            if (!(dropRate >= 0 && dropRate < 1)) {
                throw new IllegalArgumentException("dropRate must be in [0, 1), was " + dropRate);
            }
            if (producers > accounts) {
                throw new IllegalArgumentException(
                        "producers must be <= accounts (" + accounts + "), was " + producers);
            }
            if (haltAfter == null || haltAfter.isNegative() || haltAfter.isZero()) {
                throw new IllegalArgumentException("haltAfter must be > 0, was " + haltAfter);
            }
        }

        /**
         * The default {@code haltAfter}: one second of channel time, or 200 reorder windows where that is
         * longer (a copy asked for again arrives up to a window later).
         */
        public static Duration defaultHaltAfter(int reorderWindow) {
            return Duration.ofNanos(Math.max(1_000_000_000L, 200L * reorderWindow * 1_000));
        }

        private static void requireAtLeast(String name, int value, int min) {
            if (value < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
            }
        }
    }

    /**
     * What happened. {@code halted} says why, when the run halted; {@code releasedUpTo} is each teller's
     * next expected operation at the end (what was released is below it).
     */
    public record Result(
            Config config,
            long elapsedNanos,
            CheckReport onArrival,
            CheckReport resequenced,
            CheckReport applied,
            History appliedHistory,
            long liveViolations,
            int accountsMatching,
            long operationsReleased,
            long arrivals,
            long dropped,
            long duplicated,
            long redelivered,
            long refused,
            ResequencerStats resequencer,
            long peakInFlight,
            long duplicatesDropped,
            String backend,
            List<String> halted,
            Map<String, Long> releasedUpTo) {

        public Outcome outcome() {
            if (accountsMatching != config.accounts() || !resequenced.isClean() || !applied.isClean()) {
                return Outcome.FAIL;
            }
            return halted.isEmpty() ? Outcome.PASS : Outcome.HALTED;
        }

        public boolean passed() {
            return outcome() == Outcome.PASS;
        }

        public double operationsPerSecond() {
            return elapsedNanos == 0 ? 0 : config.operations() * 1e9 / elapsedNanos;
        }
    }

    /** A snapshot for a status line while the simulation runs. */
    public record Status(long sent, long applied, int buffered, long inFlight, long violations, String waitingFor) {}

    private final Config config;
    private final MeterRegistry registry;
    /** Where released operations are applied. */
    private final LedgerDownstream.Backend backend;
    /** The stages of the last run, kept reachable so that their meters stay readable after it. */
    private volatile List<Object> stages = List.of();

    private volatile LedgerFeed liveFeed;
    private volatile LedgerDownstream liveDownstream;
    private volatile OrderingMonitor<String> liveMonitor;

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

    /** What the running simulation is doing now. */
    public Status status() {
        LedgerFeed feed = liveFeed;
        LedgerDownstream d = liveDownstream;
        OrderingMonitor<String> m = liveMonitor;
        if (feed == null || d == null || m == null) {
            return new Status(0, 0, 0, 0, 0, null);
        }
        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += m.count(v);
        }
        return new Status(
                feed.sent(),
                d.ledger().applied.get(),
                feed.resequencer().stats().buffered(),
                d.inFlight(),
                violations,
                feed.waitingFor().orElse(null));
    }

    public Result run() throws Exception {
        List<Txn> operations = generate();
        Map<String, List<Txn>> outbox = new HashMap<>();
        for (Txn txn : operations) {
            outbox.computeIfAbsent(txn.producer(), p -> new ArrayList<>()).add(txn);
        }
        // Three vantage points: what the channel delivered, what the resequencer released (in teller
        // order, so gaps are visible) and what the handlers applied (in order per account only:
        // accounts run in parallel, so there the sequence is not checked).
        Queue<Message> arrivals = new ConcurrentLinkedQueue<>();
        Queue<Message> released = new ConcurrentLinkedQueue<>();
        Queue<Message> applied = new ConcurrentLinkedQueue<>();
        OrderingMonitor<String> monitor = OrderingMonitor.<String>builder()
                .stage("ledger-applied")
                .registry(registry)
                .firstSequence(0)
                .build();
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
            applied.add(txn.asUnsequencedMessage());
            monitor.observe(txn.account(), txn.accountSequence());
        };
        long start = System.nanoTime();
        Optional<LedgerFeed.Halt> halt;
        Map<String, Long> prefix;
        LedgerFeed feed;
        long peakInFlight;
        Ledger ledger;
        try (LedgerDownstream downstream = backend.open(config.threads(), registry, apply)) {
            feed = new LedgerFeed(config, operations, outbox, downstream.restoredCheckpoint(), (p, s, txn) -> {
                released.add(txn.asMessage());
                downstream.submit(txn);
            });
            liveFeed = feed;
            liveDownstream = downstream;
            liveMonitor = monitor;
            stages = List.of(feed.resequencer(), downstream);
            OrdoMetrics.resequencer(feed.resequencer(), "ledger").bindTo(registry);
            Resequencer<String, Txn> resequencer = feed.resequencer();
            if (config.reorder()) {
                halt = feed.run(txn -> arrivals.add(txn.asMessage()), () -> checkpoint(downstream, resequencer));
                checkpoint(downstream, resequencer);
                prefix = resequencer.checkpoint();
                downstream.awaitApplied(lastSequencePerAccount(operations, prefix));
            } else {
                halt = Optional.empty();
                feed.runUnordered(txn -> arrivals.add(txn.asMessage()), txn -> {
                    released.add(txn.asMessage());
                    downstream.submit(txn);
                });
                prefix = Map.of();
                downstream.awaitApplied(Map.of());
            }
            List<String> parked = downstream.parked();
            if (!parked.isEmpty()) {
                List<String> reasons =
                        new ArrayList<>(halt.map(LedgerFeed.Halt::reasons).orElse(List.of()));
                reasons.addAll(parked);
                halt = Optional.of(new LedgerFeed.Halt(reasons));
            }
            peakInFlight = downstream.peakInFlight();
            ledger = downstream.ledger();
        }
        long elapsed = System.nanoTime() - start;
        // Judged against what was released: everything, or on a halt the prefix before the missing operations.
        List<Txn> expected = halt.isPresent() ? released(operations, prefix) : operations;
        long violations = 0;
        for (OrderingMonitor.Violation v : OrderingMonitor.Violation.values()) {
            violations += monitor.count(v);
        }
        History appliedHistory = history(expected, Txn::asUnsequencedMessage, applied);
        return new Result(
                config,
                elapsed,
                history(operations, Txn::asMessage, arrivals).check(),
                history(expected, Txn::asMessage, released).check(),
                appliedHistory.check(),
                appliedHistory,
                violations,
                accountsMatching(ledger, reference(expected)),
                expected.size(),
                feed.arrived(),
                feed.channel().dropped(),
                feed.channel().duplicated(),
                feed.channel().redelivered(),
                feed.refused(),
                feed.resequencer().stats(),
                peakInFlight,
                ledger.duplicatesDropped.get(),
                backend.name(),
                halt.map(LedgerFeed.Halt::reasons).orElse(List.of()),
                prefix);
    }

    private static void checkpoint(LedgerDownstream downstream, Resequencer<String, Txn> resequencer) {
        try {
            downstream.checkpoint(resequencer::checkpoint);
        } catch (Exception e) {
            throw new IllegalStateException("checkpoint of the ledger's ingest failed", e);
        }
    }

    private static History history(List<Txn> sent, Function<Txn, Message> asMessage, Queue<Message> received) {
        History history = new History();
        sent.forEach(txn -> history.sent(asMessage.apply(txn)));
        received.forEach(history::received);
        return history;
    }

    /** The operations below each teller's next expected sequence in {@code prefix}: what was released. */
    static List<Txn> released(List<Txn> operations, Map<String, Long> prefix) {
        List<Txn> released = new ArrayList<>();
        for (Txn txn : operations) {
            if (txn.sequence() < prefix.getOrDefault(txn.producer(), 0L)) {
                released.add(txn);
            }
        }
        return released;
    }

    /** The balances the operations give when applied one by one in the tellers' order. */
    static Ledger reference(List<Txn> operations) {
        Ledger reference = new Ledger();
        operations.forEach(reference::apply);
        return reference;
    }

    /** The reference ledger of {@code config}'s operations, or of their prefix released before a halt. */
    static Ledger reference(Config config, Map<String, Long> prefix) {
        List<Txn> operations = new LedgerSimulation(config).generate();
        return reference(prefix == null ? operations : released(operations, prefix));
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

    /** Per account, the teller sequence of its last operation below the released prefix. */
    private static Map<String, Long> lastSequencePerAccount(List<Txn> operations, Map<String, Long> prefix) {
        Map<String, Long> last = new HashMap<>();
        for (Txn txn : released(operations, prefix)) {
            last.put(txn.account(), txn.sequence());
        }
        return last;
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
}
