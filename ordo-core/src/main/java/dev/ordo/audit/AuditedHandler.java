package dev.ordo.audit;

import dev.ordo.engine.OrdoRecord;
import dev.ordo.engine.RecordHandler;
import java.util.function.Function;

/**
 * A handler followed by its audit entry: the entry is appended after the handler returned or threw,
 * so that a key's entries follow the order its records were handled in (the consumer runs a key's
 * next record only after this one returns).
 */
final class AuditedHandler<K, V> implements RecordHandler<K, V> {

    private final AuditTrail trail;
    private final RecordHandler<K, V> handler;
    private final Function<OrdoRecord<K, V>, byte[]> key;

    AuditedHandler(AuditTrail trail, RecordHandler<K, V> handler, Function<OrdoRecord<K, V>, byte[]> key) {
        this.trail = trail;
        this.handler = handler;
        this.key = key;
    }

    @Override
    public void handle(OrdoRecord<K, V> record) throws Exception {
        try {
            handler.handle(record);
        } catch (Throwable failure) {
            try {
                trail.append(
                        record,
                        key.apply(record),
                        AuditOutcome.FAILED,
                        failure.getClass().getName());
            } catch (RuntimeException auditFailure) {
                failure.addSuppressed(auditFailure);
            }
            throw failure;
        }
        trail.append(record, key.apply(record), AuditOutcome.HANDLED, null);
    }

    @Override
    public String toString() {
        return "audited " + handler;
    }
}
