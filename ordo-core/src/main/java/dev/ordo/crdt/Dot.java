package dev.ordo.crdt;

/**
 * One update event: the {@code counter}-th update made by {@code replica}. An {@link ORSet} tags each
 * addition with a new dot, and a remove deletes exactly the dots it saw.
 */
record Dot(String replica, long counter) implements Comparable<Dot> {

    @Override
    public int compareTo(Dot other) {
        int byReplica = replica.compareTo(other.replica);
        return byReplica != 0 ? byReplica : Long.compare(counter, other.counter);
    }

    @Override
    public String toString() {
        return replica + ":" + counter;
    }
}
