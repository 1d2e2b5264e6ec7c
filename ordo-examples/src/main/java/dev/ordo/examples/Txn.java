package dev.ordo.examples;

/**
 * A ledger transaction, as the examples send it: an amount added to the account that is its record's
 * key (taken from it when negative). Jackson writes and reads it ({@code Serdes.json(Txn.class)}).
 *
 * @param amount what the account gains, or loses when negative
 */
public record Txn(long amount) {}
