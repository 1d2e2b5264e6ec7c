package dev.ordo.cli.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Account balances where a withdrawal that would overdraw is rejected, so the final balances
 * depend on the order operations are applied in. Safe for concurrent use on different accounts;
 * one account must be updated by one thread at a time (the key-ordered executor guarantees it).
 */
final class Ledger {

    private final Map<String, Long> balances = new ConcurrentHashMap<>();

    /** Applies one operation; returns false if it was a rejected withdrawal. */
    boolean apply(Txn txn) {
        long balance = balances.getOrDefault(txn.account(), 0L);
        if (balance + txn.amount() < 0) {
            return false;
        }
        balances.put(txn.account(), balance + txn.amount());
        return true;
    }

    long balance(String account) {
        return balances.getOrDefault(account, 0L);
    }
}
