package dev.ordo.exec;

import java.util.concurrent.atomic.LongAdder;

/**
 * What became of a {@link KeyOrderedExecutor}'s tasks so far, for its {@link ExecutorStats}: counted on
 * every worker, read seldom, hence adders.
 */
final class TaskCounts {
    final LongAdder submitted = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder deadLettered = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder parkings = new LongAdder();
}
