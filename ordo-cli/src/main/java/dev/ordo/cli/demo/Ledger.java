package dev.ordo.cli.demo;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Account balances where a withdrawal that would overdraw is rejected, so the final balances
 * depend on the order operations are applied in. Safe for concurrent use on different accounts;
 * one account must be updated by one thread at a time (the key-ordered executor guarantees it).
 *
 * <p>Each account also remembers the teller sequence number of the last operation applied to it,
 * so {@link #applyOnce} can drop an operation seen before (every account belongs to one teller,
 * whose numbers rise). The ledger is a Jackson bean: on the engine it is the consumer's committed
 * state, saved with the offsets it matches.
 */
public final class Ledger {

    /** One account. */
    public static final class Account {
        public long balance;
        /** Teller sequence of the last operation applied, -1 before the first. */
        public long lastSequence = -1;
        /** Operations applied (accepted or rejected as overdrafts). */
        public long applied;
    }

    public ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
    /** Operations applied, over all accounts. */
    public AtomicLong applied = new AtomicLong();
    /** Operations dropped by {@link #applyOnce} because they were applied before. */
    public AtomicLong duplicatesDropped = new AtomicLong();

    /** Applies one operation; returns false if it was a rejected withdrawal. */
    boolean apply(Txn txn) {
        Account account = accounts.computeIfAbsent(txn.account(), a -> new Account());
        account.lastSequence = txn.sequence();
        account.applied++;
        applied.incrementAndGet();
        if (account.balance + txn.amount() < 0) {
            return false;
        }
        account.balance += txn.amount();
        return true;
    }

    /** Applies an operation unless the account has already seen its teller sequence number; false if dropped. */
    boolean applyOnce(Txn txn) {
        Account account = accounts.get(txn.account());
        if (account != null && txn.sequence() <= account.lastSequence) {
            duplicatesDropped.incrementAndGet();
            return false;
        }
        apply(txn);
        return true;
    }

    long balance(String account) {
        Account a = accounts.get(account);
        return a == null ? 0 : a.balance;
    }

    long lastSequence(String account) {
        Account a = accounts.get(account);
        return a == null ? -1 : a.lastSequence;
    }

    long appliedTo(String account) {
        Account a = accounts.get(account);
        return a == null ? 0 : a.applied;
    }
}
