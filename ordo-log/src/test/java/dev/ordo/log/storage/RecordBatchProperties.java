package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.engine.Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RecordBatchProperties {

    static List<Record> randomRecords(Random random, int count) {
        List<Record> records = new ArrayList<>();
        long time = 1_700_000_000_000L + random.nextInt(1_000_000);
        for (int i = 0; i < count; i++) {
            byte[] key = random.nextInt(5) == 0 ? null : bytes(random, random.nextInt(40));
            byte[] value = random.nextInt(10) == 0 ? null : bytes(random, random.nextInt(300));
            List<Header> headers = new ArrayList<>();
            for (int h = random.nextInt(3); h > 0; h--) {
                headers.add(new Header(
                        "h" + random.nextInt(100), random.nextBoolean() ? null : bytes(random, random.nextInt(20))));
            }
            records.add(new Record(-1, time + random.nextInt(2_000) - 1_000, key, value, headers));
        }
        return records;
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Property(tries = 300)
    void anyBatchRoundTrips(
            @ForAll @IntRange(min = 1, max = 50) int count,
            @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 1_000_000) int baseOffset) {
        List<Record> records = randomRecords(new Random(seed), count);
        ByteBuffer batch = RecordBatch.encode(baseOffset, new RecordBatch.Producer(7, (short) 2, 40), records);
        RecordBatch.Info info = RecordBatch.readInfo(batch);
        assertThat(info.baseOffset()).isEqualTo(baseOffset);
        assertThat(info.lastOffset()).isEqualTo(baseOffset + count - 1L);
        assertThat(info.recordCount()).isEqualTo(count);
        assertThat(info.producer()).isEqualTo(new RecordBatch.Producer(7, (short) 2, 40));
        assertThat(info.sizeInBytes()).isEqualTo(batch.remaining());
        List<Record> decoded = RecordBatch.readRecords(batch);
        for (int i = 0; i < count; i++) {
            Record in = records.get(i);
            assertThat(decoded.get(i))
                    .isEqualTo(new Record(baseOffset + i, in.timestamp(), in.key(), in.value(), in.headers()));
        }
        assertThat(batch.hasRemaining()).isFalse();
    }

    @Property(tries = 500)
    void anySingleByteFlipIsDetected(@ForAll @IntRange(min = 1, max = 20) int count, @ForAll long seed) {
        Random random = new Random(seed);
        ByteBuffer batch = RecordBatch.encode(0, RecordBatch.Producer.NONE, randomRecords(random, count));
        int at = random.nextInt(batch.remaining());
        batch.put(at, (byte) (batch.get(at) ^ (1 << random.nextInt(8))));
        assertThatThrownBy(() -> RecordBatch.readInfo(batch)).isInstanceOf(CorruptRecordException.class);
    }

    /**
     * Decoder robustness: arbitrary bytes, and valid batches with random bytes overwritten, either
     * decode or fail with {@link CorruptRecordException}; never another exception, never a huge
     * allocation from a lying length field.
     */
    @Property(tries = 2_000)
    void arbitraryBytesFailOnlyWithCorruptRecordException(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 400) int length, @ForAll boolean startFromValidBatch) {
        Random random = new Random(seed);
        ByteBuffer input;
        if (startFromValidBatch) {
            input = RecordBatch.encode(
                    random.nextInt(1000), RecordBatch.Producer.NONE, randomRecords(random, 1 + random.nextInt(5)));
            for (int i = random.nextInt(4); i >= 0; i--) {
                input.put(8 + random.nextInt(input.limit() - 8), (byte) random.nextInt());
            }
            if (random.nextBoolean()) {
                // Re-seal the CRC so that the damage reaches the record parser behind the checksum.
                CRC32C crc = new CRC32C();
                crc.update(input.slice(8, input.limit() - 8));
                input.putInt(4, (int) crc.getValue());
            }
        } else {
            input = ByteBuffer.wrap(bytes(random, length));
        }
        try {
            RecordBatch.readRecords(input);
        } catch (CorruptRecordException expected) {
            // the only acceptable failure
        }
    }
}
