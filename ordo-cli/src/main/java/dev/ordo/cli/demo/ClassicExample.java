package dev.ordo.cli.demo;

import dev.ordo.exec.KeyOrderedExecutor;
import dev.ordo.sequence.Resequencer;
import java.util.List;

/**
 * The example every ordering talk starts with: an account receives +1000, +500, -800, +300, -200
 * (ending at 800), but they arrive scrambled and one twice. Applied on arrival, a withdrawal is
 * rejected for lack of funds and the duplicate counts twice; through Ordo the balance is 800.
 */
public final class ClassicExample {

    /** The teller's order. */
    static final List<Txn> SENT = List.of(
            new Txn("ACC-CLASSIC", 1000, "teller", 0, 0),
            new Txn("ACC-CLASSIC", 500, "teller", 1, 1),
            new Txn("ACC-CLASSIC", -800, "teller", 2, 2),
            new Txn("ACC-CLASSIC", 300, "teller", 3, 3),
            new Txn("ACC-CLASSIC", -200, "teller", 4, 4));

    /** The order they arrive in: scrambled, with a duplicate of +500. */
    static final List<Txn> ARRIVED =
            List.of(SENT.get(2), SENT.get(4), SENT.get(1), SENT.get(3), SENT.get(1), SENT.get(0));

    /** Balances after applying in arrival order, and after ordering through Ordo. */
    public record Outcome(List<String> arrivalOrder, long appliedOnArrival, long throughOrdo, long expected) {
        public boolean passed() {
            return throughOrdo == expected;
        }
    }

    private ClassicExample() {}

    public static Outcome run() {
        Ledger expected = new Ledger();
        SENT.forEach(expected::apply);

        Ledger naive = new Ledger();
        ARRIVED.forEach(naive::apply);

        Ledger ordered = new Ledger();
        try (KeyOrderedExecutor<String> executor =
                KeyOrderedExecutor.<String>builder().concurrency(2).build()) {
            Resequencer<String, Txn> resequencer = Resequencer.<String, Txn>builder()
                    .build((producer, sequence, txn) -> executor.submit(txn.account(), () -> ordered.apply(txn)));
            ARRIVED.forEach(txn -> resequencer.offer(txn.producer(), txn.sequence(), txn));
        }
        String account = SENT.get(0).account();
        return new Outcome(
                ARRIVED.stream().map(Txn::toString).toList(),
                naive.balance(account),
                ordered.balance(account),
                expected.balance(account));
    }
}
