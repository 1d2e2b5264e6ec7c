package dev.ordo.cli.demo;

import dev.ordo.engine.ParkedRecord;
import dev.ordo.engine.RecordConsumer;
import java.util.List;

/**
 * A {@link LedgerDownstream} that applies through an engine's consumer: its counters and parked keys are the
 * consumer's.
 */
interface ConsumerBacked extends LedgerDownstream {

    /** The consumer applying the operations. */
    RecordConsumer consumer();

    @Override
    default long inFlight() {
        return consumer().stats().inFlight();
    }

    @Override
    default long peakInFlight() {
        return consumer().stats().peakInFlight();
    }

    @Override
    default List<String> parked() {
        return consumer().parked().stream().map(ParkedRecord::toString).toList();
    }
}
