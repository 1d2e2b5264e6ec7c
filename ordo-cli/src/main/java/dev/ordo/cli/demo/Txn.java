package dev.ordo.cli.demo;

import dev.ordo.check.Message;

/**
 * One ledger operation: a deposit (positive amount) or withdrawal (negative amount) on an account,
 * numbered by the producer (teller) that issued it, and numbered within its account (for the live
 * ordering monitor on the applied stream).
 */
record Txn(String account, long amount, String producer, long sequence, long accountSequence) {

    String id() {
        return producer + "-" + sequence;
    }

    Message asMessage() {
        return new Message(account, producer, sequence, id());
    }

    /** As a message whose source sequence is not to be checked (after key-parallel execution). */
    Message asUnsequencedMessage() {
        return new Message(account, producer, -1, id());
    }

    /** As one line of text: {@code account,amount,producer,sequence,accountSequence}. */
    String encode() {
        return account + "," + amount + "," + producer + "," + sequence + "," + accountSequence;
    }

    /** The inverse of {@link #encode()}. */
    static Txn decode(String text) {
        String[] f = text.split(",");
        if (f.length != 5) {
            throw new IllegalArgumentException(
                    "txn must be account,amount,producer,sequence,accountSequence, was '" + text + "'");
        }
        return new Txn(f[0], Long.parseLong(f[1]), f[2], Long.parseLong(f[3]), Long.parseLong(f[4]));
    }

    @Override
    public String toString() {
        return (amount >= 0 ? "+" : "") + amount;
    }
}
