package dev.ordo.examples;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The examples' application: account balances that transactions change, and accounts an operator can
 * freeze, whose transactions then fail (to show what a consumer does with a record that keeps failing).
 * Thread-safe.
 */
public final class Ledger {

    private final Map<String, Long> balances = new ConcurrentHashMap<>();
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();

    /**
     * Adds the transaction's amount to the account.
     *
     * @throws IllegalStateException if the account is frozen
     */
    public void apply(String account, Txn txn) {
        if (frozen.contains(account)) {
            throw new IllegalStateException("account " + account + " is frozen");
        }
        balances.merge(account, txn.amount(), Long::sum);
    }

    /** The balances now, by account. */
    public Map<String, Long> balances() {
        return new TreeMap<>(balances);
    }

    public void freeze(String account) {
        frozen.add(account);
    }

    public void unfreeze(String account) {
        frozen.remove(account);
    }

    public boolean isFrozen(String account) {
        return frozen.contains(account);
    }
}
