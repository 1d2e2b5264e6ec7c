package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    @Test
    void anUnknownGroupProtocolIsRefusedNamingTheValue() {
        assertThatThrownBy(
                        () -> KafkaOrdoConsumer.builder("localhost:9092", "t").property("group.protocol", "eager"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group.protocol must be classic or consumer, was 'eager'");
    }
}
