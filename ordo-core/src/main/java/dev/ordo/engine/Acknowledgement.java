package dev.ordo.engine;

/** Where an appended record went: its topic, partition and offset. */
public record Acknowledgement(String topic, int partition, long offset) {}
