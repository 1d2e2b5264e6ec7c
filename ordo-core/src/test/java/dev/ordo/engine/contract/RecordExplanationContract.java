package dev.ordo.engine.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Explanation;
import dev.ordo.engine.Explanation.Status;
import dev.ordo.engine.RecordConsumer;
import dev.ordo.exec.Retry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every engine's consumer says about one record ({@link RecordConsumer#explain(int, long)}): handled, at
 * its key's head, waiting behind that head (named, with why it is held), waiting for a handler thread, not
 * fetched, beyond its partition's end, or in a partition this consumer does not own. Runs with the rest of the
 * {@link ConsumerContract} on each engine.
 */
public abstract class RecordExplanationContract extends ConsumerContract {

    @Test
    void aRecordBehindAParkedHeadNamesThatHeadAndItsErrorAndHandledRecordsSaySo() throws Exception {
        String topic = createTopic("explain-parked", 1);
        produce(topic, 0, 20, 4); // key k<i % 4>, value i: k1 holds 1, 5, 9, 13, 17
        AtomicInteger others = new AtomicInteger();
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .retry(Retry.exponential(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler(r -> {
                    if (r.value().equals("5")) {
                        throw new IllegalStateException("account 1 is locked");
                    }
                    if (!r.key().equals("k1")) {
                        others.incrementAndGet();
                    }
                })
                .start());
        await().atMost(WAIT).until(() -> others.get() == 15 && consumer.parked().size() == 1);

        Explanation parked = consumer.explain(0, 5);
        assertThat(parked.status()).isEqualTo(Status.PARKED);
        assertThat(parked.record()).isEqualTo(topic + "-0@5");
        assertThat(parked.key()).isEqualTo("k1");
        assertThat(parked.head().offset()).isEqualTo(5);
        assertThat(parked.toString()).contains("account 1 is locked", "resume or skip", "3 later records");

        Explanation behind = consumer.explain(0, 13);
        assertThat(behind.status()).isEqualTo(Status.WAITING_BEHIND);
        assertThat(behind.key()).isEqualTo("k1");
        assertThat(behind.head().offset()).as("the head it waits behind").isEqualTo(5);
        assertThat(behind.reasons().get(0)).contains("waits behind " + topic + "-0@5", "the head of its key");
        assertThat(behind.reasons().get(1)).contains("account 1 is locked", "parked");

        Explanation outOfOrder = consumer.explain(0, 6);
        assertThat(outOfOrder.status()).isEqualTo(Status.HANDLED);
        assertThat(outOfOrder.reasons().get(0))
                .contains("finished beyond the commit point", "waits for " + topic + "-0@5");
        Explanation committed = consumer.explain(0, 2);
        assertThat(committed.status()).isEqualTo(Status.HANDLED);
        assertThat(committed.reasons().get(0)).contains("below the commit point 5");

        await().atMost(WAIT).until(() -> consumer.explain(0, 20).status() == Status.BEYOND_END);
        assertThat(consumer.explain(0, 20).reasons().get(0)).contains("ends at offset 20");
    }

    @Test
    void aFetchedRecordWaitsForAHandlerThreadAndOneBeyondMaxInFlightIsNotFetched() throws Exception {
        String topic = createTopic("explain-slots", 1);
        produce(topic, 0, 200, 4);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RecordConsumer consumer = closeLater(textConsumer(topic)
                .group(uniqueName("g"))
                .concurrency(1)
                .maxInFlight(20)
                .handler(r -> {
                    if (r.value().equals("0")) {
                        blocked.countDown();
                        release.await();
                    }
                })
                .start());
        try {
            assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            await().atMost(WAIT).until(() -> consumer.stats().inFlight() == 20);

            assertThat(consumer.explain(0, 0).status()).isEqualTo(Status.RUNNING);
            Explanation sameKey = consumer.explain(0, 4);
            assertThat(sameKey.status()).isEqualTo(Status.WAITING_BEHIND);
            assertThat(sameKey.head().offset()).isZero();
            assertThat(sameKey.reasons().get(1)).contains(topic + "-0@0 is being handled");
            Explanation otherKey = consumer.explain(0, 1);
            assertThat(otherKey.status()).isEqualTo(Status.WAITING_FOR_SLOT);
            assertThat(otherKey.reasons().get(0)).contains("a handler thread (concurrency 1");
            Explanation notFetched = consumer.explain(0, 150);
            assertThat(notFetched.status()).isEqualTo(Status.NOT_FETCHED);
            assertThat(notFetched.key()).as("not read yet, so not known").isNull();
            assertThat(notFetched.toString()).contains("next record of " + topic + "-0", "(maxInFlight 20)");
        } finally {
            release.countDown();
        }
        assertThat(consumer.awaitCaughtUp(WAIT)).isTrue();
        assertThat(consumer.explain(0, 150).status()).isEqualTo(Status.HANDLED);
    }

    @Test
    void aRecordOfAPartitionAnotherMemberOwnsIsNotOwnedHereAndBadPositionsAreRefused() throws Exception {
        String topic = createTopic("explain-owner", 2);
        produce(topic, 0, 10, 10);
        String group = uniqueName("g");
        RecordConsumer first =
                closeLater(textConsumer(topic).group(group).handler(r -> {}).start());
        await().atMost(WAIT).until(() -> first.assignment().size() == 2);
        RecordConsumer second =
                closeLater(textConsumer(topic).group(group).handler(r -> {}).start());
        await().atMost(WAIT)
                .until(() ->
                        first.assignment().size() == 1 && second.assignment().size() == 1);
        int elsewhere = second.assignment().iterator().next();

        Explanation notOwned = first.explain(elsewhere, 0);
        assertThat(notOwned.status()).isEqualTo(Status.NOT_OWNED);
        assertThat(notOwned.reasons().get(0))
                .contains("owns partitions " + first.assignment(), "another member of group " + group);
        assertThat(first.explain(7, 0).status()).as("no such partition").isEqualTo(Status.NOT_OWNED);

        assertThatThrownBy(() -> first.explain(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partition must be >= 0, was -1");
        assertThatThrownBy(() -> first.explain(0, -3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("offset must be >= 0, was -3");
        assertThat(Set.of(first.assignment(), second.assignment())).hasSize(2);
    }
}
