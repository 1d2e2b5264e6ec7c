package dev.ordo.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.ManualTicker;
import dev.ordo.causal.CausalMessage;
import dev.ordo.causal.CausalProcessor;
import dev.ordo.causal.MissingDependencyException;
import dev.ordo.causal.VectorClock;
import dev.ordo.flow.FlowProbes.ManualDownstream;
import dev.ordo.flow.FlowProbes.ManualUpstream;
import dev.ordo.time.EventTimeProcessor;
import dev.ordo.time.LatePolicy;
import dev.ordo.time.TimedEvent;
import dev.ordo.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event-time and causal stages as {@code Flow} processors: order, demand both ways, completion. */
class OrderingProcessorsTest {

    private static TimedEvent<String, String> event(long timestamp, long sequence) {
        return new TimedEvent<>("s", sequence, timestamp, "t" + timestamp, false);
    }

    @Test
    void eventTimeProcessorReleasesInTimestampOrderAsTheWatermarkAndDemandAllow() {
        List<TimedEvent<String, String>> late = new ArrayList<>();
        OrderingProcessor<TimedEvent<String, String>, TimedEvent<String, String>> processor = EventTimeProcessor.create(
                8,
                WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(10))
                        .withLatePolicy(LatePolicy.SIDE_OUTPUT),
                new ManualTicker(),
                late::add);
        ManualUpstream upstream = new ManualUpstream();
        ManualDownstream<TimedEvent<String, String>> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(upstream);
        assertThat(upstream.requested.get()).isEqualTo(8);

        long[] timestamps = {105, 100, 112, 108, 125, 131};
        for (int i = 0; i < timestamps.length; i++) {
            processor.onNext(event(timestamps[i], i));
        }
        processor.onNext(event(90, 6)); // behind the watermark (131 - 10): late, to the side output
        assertThat(late).extracting(TimedEvent::timestamp).containsExactly(90L);
        assertThat(downstream.received).as("no demand yet").isEmpty();

        downstream.subscription.request(3);
        assertThat(downstream.received).extracting(TimedEvent::timestamp).containsExactly(100L, 105L, 108L);
        downstream.subscription.request(100);
        // The watermark (121) has passed 112 but not 125 and 131: they wait for it, or for the end.
        assertThat(downstream.received).extracting(TimedEvent::timestamp).containsExactly(100L, 105L, 108L, 112L);
        assertThat(upstream.requested.get())
                .as("never more held than the capacity")
                .isLessThanOrEqualTo(7 + 8);

        processor.onComplete();
        assertThat(downstream.received)
                .extracting(TimedEvent::timestamp)
                .containsExactly(100L, 105L, 108L, 112L, 125L, 131L);
        assertThat(downstream.completed).isTrue();
    }

    @Test
    void eventTimeProcessorFlushesOnlyAsDemandAllowsBeforeCompleting() {
        OrderingProcessor<TimedEvent<String, String>, TimedEvent<String, String>> processor = EventTimeProcessor.create(
                8, WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(1)), new ManualTicker(), e -> {});
        ManualDownstream<TimedEvent<String, String>> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(new ManualUpstream());
        processor.onNext(event(3, 0));
        processor.onNext(event(1, 1));
        processor.onNext(event(2, 2));
        processor.onComplete();
        downstream.subscription.request(2);
        assertThat(downstream.received).extracting(TimedEvent::timestamp).containsExactly(1L, 2L);
        assertThat(downstream.completed).as("one event still owed").isFalse();
        downstream.subscription.request(1);
        assertThat(downstream.received).extracting(TimedEvent::timestamp).containsExactly(1L, 2L, 3L);
        assertThat(downstream.completed).isTrue();
    }

    @Test
    void causalProcessorHoldsAReplyUntilItsQuestionAndDropsDuplicates() {
        OrderingProcessor<CausalMessage<String>, CausalMessage<String>> processor =
                CausalProcessor.create(4, Duration.ofSeconds(1), new ManualTicker());
        ManualUpstream upstream = new ManualUpstream();
        ManualDownstream<CausalMessage<String>> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(upstream);
        downstream.subscription.request(10);

        VectorClock question = VectorClock.empty().increment("alice");
        VectorClock reply = question.increment("bob");
        processor.onNext(new CausalMessage<>("bob", reply, "yes"));
        assertThat(downstream.received).as("the reply waits for its question").isEmpty();
        processor.onNext(new CausalMessage<>("alice", question, "lunch?"));
        processor.onNext(new CausalMessage<>("alice", question, "lunch?"));
        assertThat(downstream.received).extracting(CausalMessage::message).containsExactly("lunch?", "yes");
        processor.onComplete();
        assertThat(downstream.completed).isTrue();
    }

    @Test
    void causalProcessorCompletingWithAMissingDependencyIsAnError() {
        OrderingProcessor<CausalMessage<String>, CausalMessage<String>> processor =
                CausalProcessor.create(4, Duration.ofSeconds(1), new ManualTicker());
        ManualDownstream<CausalMessage<String>> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(new ManualUpstream());
        downstream.subscription.request(10);
        processor.onNext(new CausalMessage<>("bob", VectorClock.of(Map.of("alice", 1L, "bob", 1L)), "yes"));
        processor.onComplete();
        assertThat(downstream.completed).isFalse();
        assertThat(downstream.error)
                .isInstanceOf(MissingDependencyException.class)
                .hasMessageContaining("1 messages still waiting");
    }
}
