package dev.ordo.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.flow.FlowProbes.ManualDownstream;
import dev.ordo.flow.FlowProbes.ManualUpstream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ResequencingProcessorTest {

    @Test
    void releasesInOrderOnlyAsFastAsDownstreamRequestsAndBoundsUpstreamDemand() {
        ResequencingProcessor<String> processor = ResequencingProcessor.create(4, GapPolicy.waitForever());
        ManualUpstream upstream = new ManualUpstream();
        ManualDownstream<String> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(upstream);
        assertThat(upstream.requested.get()).as("asks for its capacity").isEqualTo(4);

        processor.onNext(new Sequenced<>("p", 1, "b"));
        processor.onNext(new Sequenced<>("p", 0, "a"));
        processor.onNext(new Sequenced<>("p", 3, "d"));
        processor.onNext(new Sequenced<>("p", 2, "c"));
        assertThat(downstream.received).as("no demand yet").isEmpty();
        assertThat(upstream.requested.get())
                .as("all 4 held: asks for nothing more")
                .isEqualTo(4);

        downstream.subscription.request(1);
        assertThat(downstream.received).containsExactly("a");
        assertThat(upstream.requested.get()).as("one passed on, one more asked").isEqualTo(5);

        downstream.subscription.request(10);
        assertThat(downstream.received).containsExactly("a", "b", "c", "d");
        assertThat(upstream.requested.get()).isEqualTo(8);

        processor.onComplete();
        assertThat(downstream.completed).isTrue();
    }

    @Test
    void completingWithMessagesStuckBehindAGapIsAnErrorNotASilentEnd() {
        ResequencingProcessor<String> processor = ResequencingProcessor.create(4, GapPolicy.waitForever());
        ManualDownstream<String> downstream = new ManualDownstream<>();
        processor.subscribe(downstream);
        processor.onSubscribe(new ManualUpstream());
        downstream.subscription.request(10);
        processor.onNext(new Sequenced<>("p", 1, "b"));
        processor.onComplete();
        assertThat(downstream.completed).isFalse();
        assertThat(downstream.error)
                .isInstanceOf(SequenceGapException.class)
                .hasMessageContaining("1 messages still waiting")
                .hasMessageContaining("source p is missing sequence numbers [0, 0]");
    }

    @Test
    void worksBetweenAJdkSubmissionPublisherAndASubscriber() {
        List<String> out = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        ResequencingProcessor<String> processor = ResequencingProcessor.create(64, GapPolicy.waitForever());
        processor.subscribe(new Flow.Subscriber<>() {
            Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                s = subscription;
                s.request(1);
            }

            @Override
            public void onNext(String item) {
                out.add(item);
                s.request(1);
            }

            @Override
            public void onError(Throwable t) {
                out.add("error " + t);
            }

            @Override
            public void onComplete() {
                done.set(true);
            }
        });
        try (SubmissionPublisher<Sequenced<String>> publisher = new SubmissionPublisher<>()) {
            publisher.subscribe(processor);
            for (int block = 0; block < 100; block++) {
                for (int i = 9; i >= 0; i--) {
                    long seq = block * 10L + i;
                    publisher.submit(new Sequenced<>("p", seq, "m" + seq));
                }
            }
        }
        await().atMost(Duration.ofSeconds(10)).untilTrue(done);
        assertThat(out).hasSize(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(out.get(i)).isEqualTo("m" + i);
        }
    }

    @Test
    void aStrictPolicyIsRefusedForItHasNoOperatorToResumeOrSkip() {
        assertThatThrownBy(() -> ResequencingProcessor.create(
                        4, GapPolicy.neverSkip(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NEVER_SKIP");
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> ResequencingProcessor.create(0, GapPolicy.waitForever()))
                .hasMessage("capacity must be >= 1, was 0");
        assertThatThrownBy(() -> new Sequenced<>("p", -1, "x")).hasMessage("sequence must be >= 0, was -1");
        ResequencingProcessor<String> processor = ResequencingProcessor.create(4, GapPolicy.waitForever());
        ManualDownstream<String> downstream = new ManualDownstream<>();
        ManualUpstream upstream = new ManualUpstream();
        processor.subscribe(downstream);
        processor.onSubscribe(upstream);
        downstream.subscription.request(0);
        assertThat(downstream.error).hasMessageContaining("rule 3.9");
        assertThat(upstream.cancelled).isTrue();
    }
}
