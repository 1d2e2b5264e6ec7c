package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ordo.engine.Serdes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The consumer group protocol a consumer asks for is the one its group runs on the broker. */
class GroupProtocolTest {

    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void theGroupRunsTheProtocolTheBuilderChose(GroupProtocol protocol) throws Exception {
        String topic = "protocol-" + protocol;
        KafkaBroker.createTopic(topic, 2);
        try (KafkaOrdoConsumer<byte[], byte[]> consumer = KafkaOrdoConsumer.builder(
                        KafkaBroker.bootstrapServers(), topic)
                .group(topic)
                .groupProtocol(protocol)
                .handler(r -> {})
                .start()) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> consumer.assignment().size() == 2);
            try (Admin admin = KafkaBroker.admin()) {
                GroupType type = admin.describeConsumerGroups(List.of(topic))
                        .describedGroups()
                        .get(topic)
                        .get(30, TimeUnit.SECONDS)
                        .type();
                assertThat(type).isEqualTo(GroupType.parse(protocol.name()));
            }
        }
    }

    /**
     * A KIP-848 coordinator assigns from its own view of the topics, computed in the background: a new
     * member of a topic created a moment ago can first be assigned nothing, and a member holding nothing
     * must not count as caught up before the group has given out the topic's partitions.
     */
    @ParameterizedTest
    @EnumSource(GroupProtocol.class)
    void aNewMemberIsCaughtUpOnlyAfterHandlingWhatTheGroupAssignsIt(GroupProtocol protocol) throws Exception {
        for (int member = 0; member < 8; member++) {
            String topic = "first-assignment-" + protocol + "-" + member;
            KafkaBroker.createTopic(topic, 2);
            try (KafkaOrdoProducer<String, String> producer = KafkaOrdoProducer.builder(
                            KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                    .build()) {
                for (int i = 0; i < 100; i++) {
                    producer.send("k" + i, String.valueOf(i));
                }
                producer.flush();
            }
            AtomicInteger handled = new AtomicInteger();
            try (KafkaOrdoConsumer<String, String> consumer = KafkaOrdoConsumer.builder(
                            KafkaBroker.bootstrapServers(), topic, Serdes.string(), Serdes.string())
                    .group(topic)
                    .groupProtocol(protocol)
                    .handler(r -> handled.incrementAndGet())
                    .start()) {
                assertThat(consumer.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(handled.get())
                        .as("handled by the member of %s when caught up", topic)
                        .isEqualTo(100);
            }
        }
    }

    @Test
    void anUnknownGroupProtocolIsRefusedNamingTheValue() {
        assertThatThrownBy(
                        () -> KafkaOrdoConsumer.builder("localhost:9092", "t").property("group.protocol", "eager"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group.protocol must be classic or consumer, was 'eager'");
    }
}
