package dev.ordo.engine;

/**
 * What a consumer does with each record. It may throw anything, checked exceptions included: the
 * record is then tried again as the consumer's {@code Retry} says, its key blocked meanwhile, and
 * then handled by the consumer's failure policy ({@link OnFailure}).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface RecordHandler<K, V> {

    void handle(OrdoRecord<K, V> record) throws Exception;
}
