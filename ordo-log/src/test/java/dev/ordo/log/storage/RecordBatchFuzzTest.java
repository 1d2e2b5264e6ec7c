package dev.ordo.log.storage;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Fuzzes the record batch decoder with Jazzer (coverage-guided): whatever the bytes, decoding
 * either succeeds or throws {@link CorruptRecordException}; any other exception, or an allocation
 * sized from a lying length field (an {@code OutOfMemoryError}), is a finding. The fuzzer chooses
 * whether to re-seal the batch's length and CRC over its bytes, so that the record parser behind
 * the checksum is reached too. It runs for {@code jazzer.max_duration} (10 s in the default build,
 * 5 min under {@code -Pchaos}); findings are written as reproducers and replayed on every build.
 */
class RecordBatchFuzzTest {

    @FuzzTest
    void decodingAnyBytesSucceedsOrReportsCorruption(FuzzedDataProvider data) {
        boolean reseal = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteBuffer input = ByteBuffer.wrap(bytes);
        if (reseal && bytes.length >= RecordBatch.HEADER_SIZE) {
            input.putInt(0, bytes.length - RecordBatch.LENGTH_SIZE);
            CRC32C crc = new CRC32C();
            crc.update(input.slice(8, bytes.length - 8));
            input.putInt(4, (int) crc.getValue());
        }
        try {
            RecordBatch.readRecords(input);
        } catch (CorruptRecordException expected) {
            // the one acceptable failure
        }
    }
}
