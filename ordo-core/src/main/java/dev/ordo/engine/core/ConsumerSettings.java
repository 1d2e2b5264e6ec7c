package dev.ordo.engine.core;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Headers;
import dev.ordo.engine.OnFailure;
import dev.ordo.engine.Ordering;
import dev.ordo.engine.RecordHandler;
import dev.ordo.exec.Retry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A consumer's settings as its {@link ConsumerBuilder} collected and checked them: what an engine's
 * consumer and the {@link RecordDispatcher} are made from. For engine implementations.
 *
 * @param deadLetterTopic the dead-letter topic with {@link OnFailure#DEAD_LETTER}, else null
 * @param registry where the meters go, or null for none
 * @param flow the handlers' throttles ({@link FlowControl#NONE} for none)
 * @param commutative which records run outside the ordering ({@link ConsumerBuilder#commutative}), or null for none
 * @param virtualThreads whether the handlers run on virtual threads ({@link ConsumerBuilder#virtualThreads})
 * @param paused whether the consumer starts paused ({@link ConsumerBuilder#paused})
 */
public record ConsumerSettings<K, V>(
        String topic,
        String group,
        Ordering ordering,
        int concurrency,
        long maxInFlight,
        Retry retry,
        OnFailure onFailure,
        String deadLetterTopic,
        boolean createDeadLetterTopic,
        Duration commitInterval,
        Duration drainTimeout,
        Duration stallTimeout,
        Deserializer<K> keyDeserializer,
        Deserializer<V> valueDeserializer,
        RecordHandler<K, V> handler,
        MeterRegistry registry,
        FlowControl flow,
        Predicate<Headers> commutative,
        boolean virtualThreads,
        boolean paused) {}
