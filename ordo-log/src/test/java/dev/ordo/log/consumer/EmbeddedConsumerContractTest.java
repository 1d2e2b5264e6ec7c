package dev.ordo.log.consumer;

import dev.ordo.engine.ConsumerBuilder;
import dev.ordo.engine.Deserializer;
import dev.ordo.engine.Headers;
import dev.ordo.engine.RecordProducer;
import dev.ordo.engine.Serdes;
import dev.ordo.engine.contract.LiveChangeContract;
import dev.ordo.log.engine.EmbeddedLog;
import dev.ordo.log.engine.TopicSpec;
import dev.ordo.log.producer.OrdoProducer;
import dev.ordo.log.storage.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The consumer contract on the embedded engine. */
class EmbeddedConsumerContractTest extends LiveChangeContract {

    @TempDir
    Path data;

    private EmbeddedLog log;

    @BeforeEach
    void open() throws Exception {
        log = EmbeddedLog.open(data);
    }

    @AfterEach
    void closeLog() throws Exception {
        log.close();
    }

    @Override
    protected String createTopic(String name, int partitions) throws Exception {
        String topic = uniqueName(name);
        log.createTopic(topic, TopicSpec.partitions(partitions));
        return topic;
    }

    @Override
    protected RecordProducer<String, String> producer(String topic) {
        return OrdoProducer.builder(log, topic, Serdes.string(), Serdes.string())
                .build();
    }

    @Override
    protected RecordProducer<byte[], byte[]> bytesProducer(String topic) {
        return OrdoProducer.builder(log, topic, Serdes.bytes(), Serdes.bytes()).build();
    }

    @Override
    protected <K, V> ConsumerBuilder<?, K, V> consumer(String topic, Deserializer<K> keys, Deserializer<V> values) {
        return OrdoConsumer.builder(log, topic, keys, values);
    }

    @Override
    protected List<StoredRecord> readAll(String topic) throws Exception {
        List<StoredRecord> all = new ArrayList<>();
        for (int p = 0; p < log.partitionCount(topic); p++) {
            for (Record r : log.read(topic, p, 0, Integer.MAX_VALUE)) {
                all.add(new StoredRecord(text(r.key()), text(r.value()), Headers.of(r.headers())));
            }
        }
        return all;
    }

    @Override
    protected boolean exists(String topic) {
        return log.listTopics().contains(topic);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
