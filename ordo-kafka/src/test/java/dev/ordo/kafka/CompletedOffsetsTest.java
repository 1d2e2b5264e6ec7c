package dev.ordo.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class CompletedOffsetsTest {

    private static final byte BITMAP = 0;
    private static final byte RUNS = 1;

    @Test
    void roundTripsAndStaysWithinTheLimitByDroppingTheHighest() {
        long[] completed = {1_002, 1_003, 1_500, 90_000};
        String metadata = CompletedOffsets.encode(1_000, completed, 4_000);
        assertThat(metadata).startsWith("ordo2:");
        assertThat(CompletedOffsets.decode(1_000, metadata)).containsExactly(1_002L, 1_003L, 1_500L, 90_000L);
        long[] many = new long[5_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = 1_000 + 7L * i * i + 1; // ever wider gaps: does not fit whole
        }
        String cut = CompletedOffsets.encode(1_000, many, 4_000);
        assertThat(cut.length()).isLessThanOrEqualTo(4_000);
        assertThat(CompletedOffsets.decode(1_000, cut))
                .isNotEmpty()
                .containsExactlyElementsOf(Arrays.stream(many)
                        .limit(CompletedOffsets.decode(1_000, cut).size())
                        .boxed()
                        .toList());
        assertThat(CompletedOffsets.encode(1_000, completed, 10)).isEmpty();
        assertThat(CompletedOffsets.encode(1_000, new long[0], 4_000)).isEmpty();
    }

    @Test
    void offsetsAtOrBelowTheCommitAndBeyondTheReachAreLeftOut() {
        long[] completed = {
            990, 1_000, 1_001, 1_000 + CompletedOffsets.MAX_DISTANCE, 1_001 + CompletedOffsets.MAX_DISTANCE
        };
        String metadata = CompletedOffsets.encode(1_000, completed, 4_000);
        assertThat(CompletedOffsets.decode(1_000, metadata))
                .containsExactly(1_001L, 1_000L + CompletedOffsets.MAX_DISTANCE);
    }

    @Test
    void offsetsThatDoNotIncreaseAreRefusedNamingThem() {
        assertThatThrownBy(() -> CompletedOffsets.encode(0, new long[] {3, 5, 5}, 4_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("completed offsets must increase, was 5 after 5 at index 2");
        assertThatThrownBy(() -> CompletedOffsets.encode(-1, new long[] {3}, 4_000))
                .hasMessage("committed must be >= 0, was -1");
    }

    @Test
    void ordo1StringsWrittenByEarlierVersionsStillDecode() {
        // as the ordo1 encoder wrote {1002, 1003, 1500, 90000} at 1000
        assertThat(CompletedOffsets.decode(1_000, "ordo1:2,3,dw,1wo8"))
                .containsExactly(1_002L, 1_003L, 1_500L, 90_000L);
        assertThat(CompletedOffsets.encodeOrdo1(1_000, new long[] {1_002, 1_003, 1_500, 90_000}, 4_000))
                .isEqualTo("ordo1:2,3,dw,1wo8");
    }

    @Test
    void foreignOrDamagedMetadataSkipsNothing() {
        String valid = CompletedOffsets.encode(5, new long[] {7, 8, 20}, 4_000);
        assertThat(CompletedOffsets.decode(5, "written by another tool")).isEmpty();
        assertThat(CompletedOffsets.decode(5, "ordo1:2,zz$")).isEmpty();
        assertThat(CompletedOffsets.decode(5, null)).isEmpty();
        assertThat(CompletedOffsets.decode(5, "ordo2:")).isEmpty();
        assertThat(CompletedOffsets.decode(5, "ordo2:not base64!")).isEmpty();
        assertThat(CompletedOffsets.decode(5, "ordo2:" + Base64.getUrlEncoder().encodeToString(new byte[40])))
                .isEmpty();
        assertThat(CompletedOffsets.decode(5, valid.substring(0, valid.length() - 2)))
                .isEmpty();
        byte[] bytes = Base64.getUrlDecoder().decode(valid.substring("ordo2:".length()));
        String followed = "ordo2:" + Base64.getUrlEncoder().encodeToString(Arrays.copyOf(bytes, bytes.length + 3));
        assertThat(CompletedOffsets.decode(5, followed)).isEmpty(); // bytes after the stream
        assertThat(CompletedOffsets.decode(5, valid)).containsExactly(7L, 8L, 20L);
    }

    @Test
    void metadataBesideAnotherCommittedOffsetSkipsNothing() {
        String metadata = CompletedOffsets.encode(1_000, new long[] {1_002, 1_003}, 4_000);
        assertThat(CompletedOffsets.decode(1_000, metadata)).containsExactly(1_002L, 1_003L);
        assertThat(CompletedOffsets.decode(999, metadata)).isEmpty();
        assertThat(CompletedOffsets.decode(0, metadata)).isEmpty();
    }

    @Test
    void aStreamThatInflatesBeyondTheReachIsRefused() {
        int reach = CompletedOffsets.MAX_DISTANCE;
        byte[] bitmap = new byte[reach / 8];
        bitmap[bitmap.length - 1] = (byte) 0x80;
        assertThat(CompletedOffsets.decode(10, ordo2(10, BITMAP, bitmap))).containsExactly(10L + reach);
        assertThat(CompletedOffsets.decode(10, ordo2(10, BITMAP, Arrays.copyOf(bitmap, bitmap.length + 1))))
                .isEmpty();
        // one run: its gap, its length less one
        assertThat(CompletedOffsets.decode(10, ordo2(10, RUNS, varints(1, reach - 1, 0))))
                .containsExactly(10L + reach);
        assertThat(CompletedOffsets.decode(10, ordo2(10, RUNS, varints(1, reach, 0))))
                .isEmpty();
        byte[] bomb = Arrays.copyOf(varints(reach), reach + 16); // zeros: runs of one, a gap of one apart
        assertThat(CompletedOffsets.decode(10, ordo2(10, RUNS, bomb))).isEmpty();
    }

    /** An {@code ordo2:} string of a payload made by hand, with a valid checksum. */
    private static String ordo2(long committed, byte kind, byte[] payload) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(payload);
        deflater.finish();
        byte[] stream = new byte[payload.length + 1_024];
        int length = 0;
        while (!deflater.finished()) {
            length += deflater.deflate(stream, length, stream.length - length);
        }
        deflater.end();
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(8).putLong(committed).array());
        crc.update(kind);
        crc.update(payload);
        ByteBuffer bytes = ByteBuffer.allocate(5 + length)
                .put(kind)
                .putInt((int) crc.getValue())
                .put(stream, 0, length);
        return "ordo2:" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static byte[] varints(long... values) {
        ByteBuffer out = ByteBuffer.allocate(10 * values.length);
        for (long value : values) {
            while (value >= 0x80) {
                out.put((byte) (value | 0x80));
                value >>>= 7;
            }
            out.put((byte) value);
        }
        return Arrays.copyOf(out.array(), out.position());
    }
}
