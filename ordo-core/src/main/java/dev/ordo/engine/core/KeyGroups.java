package dev.ordo.engine.core;

import java.util.ArrayList;
import java.util.Arrays;

/**
 * One hand-over's tasks grouped by execution key, so that each key's tasks go to the executor in one
 * hand-over, in offset order, the keys in the order they first came. The tables are the dispatcher's for
 * its lifetime and reused by every hand-over: a map and a list per key per hand-over cost a consumer more
 * bytes than a record's own objects. Keys are compared with {@code equals} (two equal keys need not be the
 * same object). Used by the engine's one fetching thread only; holds no task once {@link #submitTo} returned.
 */
final class KeyGroups {

    private static final int START = 16;

    /** Open addressing, a power of two at least twice the tasks: per slot, a key or null, and its group. */
    private Object[] slotKeys = new Object[2 * START];

    private int[] slotGroups = new int[2 * START];

    /** Per group, in the order keys first came: its key, its slot, how many tasks, where they start. */
    private Object[] groupKeys = new Object[START];

    private int[] groupSlots = new int[START];
    private int[] groupSizes = new int[START];
    private int groups;

    /** The tasks as added and their groups; then {@link #sorted}, by group, in the order added. */
    private RawRecord[] tasks = new RawRecord[START];

    private int[] taskGroups = new int[START];
    private RawRecord[] sorted = new RawRecord[START];
    private int count;
    /** What each key's tasks are handed over in; the executor does not keep it. */
    private final ArrayList<RawRecord> run = new ArrayList<>();

    /** Makes room for a hand-over of up to {@code records} tasks. */
    void start(int records) {
        if (records > tasks.length) {
            int room = Integer.highestOneBit(records - 1) << 1;
            slotKeys = new Object[2 * room];
            slotGroups = new int[2 * room];
            groupKeys = new Object[room];
            groupSlots = new int[room];
            groupSizes = new int[room];
            tasks = new RawRecord[room];
            taskGroups = new int[room];
            sorted = new RawRecord[room];
        }
    }

    /** Adds {@code task} behind the tasks of {@code key} added before. */
    void add(Object key, RawRecord task) {
        int mask = slotKeys.length - 1;
        int hash = key.hashCode();
        int slot = (hash ^ (hash >>> 16)) & mask;
        int group;
        for (; ; slot = (slot + 1) & mask) {
            Object there = slotKeys[slot];
            if (there == null) {
                group = groups++;
                slotKeys[slot] = key;
                slotGroups[slot] = group;
                groupKeys[group] = key;
                groupSlots[group] = slot;
                groupSizes[group] = 0;
                break;
            }
            if (there.equals(key)) {
                group = slotGroups[slot];
                break;
            }
        }
        groupSizes[group]++;
        tasks[count] = task;
        taskGroups[count] = group;
        count++;
    }

    /** Hands each key's tasks to {@code handlers}, key by key, and forgets them all. */
    void submitTo(HandlerStage<?, ?> handlers) {
        if (count == 0) {
            return;
        }
        // Where each group starts in sorted: a counting sort, which keeps each key's tasks in offset order.
        int[] next = groupSizes;
        for (int g = 0, start = 0; g < groups; g++) {
            int size = next[g];
            next[g] = start;
            start += size;
        }
        for (int i = 0; i < count; i++) {
            sorted[next[taskGroups[i]]++] = tasks[i];
        }
        // next[g] now is where group g ends.
        try {
            for (int g = 0, from = 0; g < groups; g++) {
                run.clear();
                for (int i = from; i < next[g]; i++) {
                    run.add(sorted[i]);
                }
                from = next[g];
                handlers.submit(groupKeys[g], run);
            }
        } finally { // also when a submission fails (a closed executor): the tables hold nothing for the next
            run.clear();
            for (int g = 0; g < groups; g++) {
                slotKeys[groupSlots[g]] = null;
                groupKeys[g] = null;
            }
            Arrays.fill(tasks, 0, count, null);
            Arrays.fill(sorted, 0, count, null);
            groups = 0;
            count = 0;
        }
    }
}
