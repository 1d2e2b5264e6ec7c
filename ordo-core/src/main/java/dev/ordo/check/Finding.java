package dev.ordo.check;

/**
 * How often one kind of anomaly occurred and where it first did.
 *
 * @param anomaly the kind
 * @param count how many times it occurred
 * @param first a description of the first occurrence, naming the messages involved
 */
public record Finding(Anomaly anomaly, long count, String first) {}
