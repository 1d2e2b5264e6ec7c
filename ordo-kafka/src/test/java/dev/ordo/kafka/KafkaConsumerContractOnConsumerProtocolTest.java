package dev.ordo.kafka;

import org.apache.kafka.clients.consumer.GroupProtocol;

/**
 * The consumer contract on Apache Kafka under KIP-848's consumer group protocol: the broker assigns
 * partitions and revokes them one member at a time, and the same rules hold.
 */
class KafkaConsumerContractOnConsumerProtocolTest extends KafkaConsumerContractTest {

    @Override
    protected GroupProtocol groupProtocol() {
        return GroupProtocol.CONSUMER;
    }
}
