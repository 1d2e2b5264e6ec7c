package dev.ordo.engine.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ordo.causal.HybridLogicalClock;
import dev.ordo.engine.OrdoHeaders;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProducerHeartbeatsTest {

    @Test
    void closingSendsALastHeartbeatToEveryPartitionOnce() {
        List<Integer> sentTo = new CopyOnWriteArrayList<>();
        ProducerHeartbeats heartbeats = ProducerHeartbeats.start(
                "t", HybridLogicalClock.system(), Duration.ofHours(1), () -> 3, (partition, headers) -> {
                    assertThat(OrdoHeaders.isHeartbeat(headers)).isTrue();
                    assertThat(OrdoHeaders.hybridTimestamp(headers)).isNotNull();
                    sentTo.add(partition);
                });
        heartbeats.sent(1); // busy partitions get no periodic heartbeat, but a last one all the same
        heartbeats.close();
        heartbeats.close();
        assertThat(sentTo).containsExactly(0, 1, 2);
    }
}
