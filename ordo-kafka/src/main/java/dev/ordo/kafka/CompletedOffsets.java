package dev.ordo.kafka;

import dev.ordo.Arguments;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The offsets handled beyond a committed offset, carried in the commit's metadata string so that a
 * restart (or the partition's next owner) skips them instead of handling them again. The string must
 * stay within Kafka's {@code offset.metadata.max.bytes} (4,096 by default); when the offsets do not
 * fit, the highest are left out and handled again: a shorter list costs repeats, never loss.
 *
 * <p>The format is {@code ordo2:} and Base64 (URL-safe, unpadded) of a kind byte, a CRC-32C and a raw
 * Deflate stream of the offsets at distance 1 to {@link #MAX_DISTANCE} from the committed offset, in
 * one of two forms, whichever compresses smaller: a bitmap (bit {@code d - 1}, least significant first,
 * for distance {@code d}), or runs of consecutive offsets as varints: their number, then the gap before
 * each (the first as is, the others less one), then each one's length less one; gaps and lengths
 * apart, so that Deflate codes each by its own statistics. Dense or clustered completions take a
 * fraction of a bit each, sparse ones about the entropy of their gaps. When not all fit, a prefix is
 * kept: the search grows it eightfold from 4,096 offsets while it fits, then halves the interval down to
 * 1/512 of it, so that its cost follows what fits rather than what was offered.
 *
 * <p>Decoding trusts nothing: a foreign or damaged string, a truncated or corrupt stream, or one that
 * would inflate beyond what {@link #MAX_DISTANCE} allows decodes to no offsets, so that everything is
 * handled again. The CRC-32C covers the committed offset, the kind and the inflated form: a damaged
 * string, or a valid one beside another committed offset (a reset that kept the metadata), is refused
 * except with odds of 2<sup>-32</sup>. It is computed over the inflated form, which the offsets come
 * from, rather than by the zlib wrapper, whose Adler-32 is weak on short inputs and cannot cover the
 * committed offset. {@code ordo1:} strings (comma-separated base-36 distances, written by earlier
 * versions) still decode; earlier versions read {@code ordo2:} as foreign, so a partition handed back
 * to one of them handles its offsets beyond the commit again.
 */
final class CompletedOffsets {

    static final String PREFIX = "ordo2:";
    static final String ORDO1_PREFIX = "ordo1:";
    static final int MAX_CHARS = 4_000;
    /**
     * The farthest offset carried, as a distance from the committed one. It bounds what a decode
     * inflates (a 128 KiB bitmap) and how many offsets it returns.
     */
    static final int MAX_DISTANCE = 1 << 20;

    private static final byte BITMAP = 0;
    private static final byte RUNS = 1;
    /** The kind byte and the CRC-32C. */
    private static final int HEADER_BYTES = 5;
    /** A varint of the count, and one per gap and per length: each of those covers a position but the first gap. */
    private static final int MAX_RUNS_BYTES = 3 + MAX_DISTANCE + 3;
    /**
     * A prefix search tries this many offsets first (all of them if fewer: one encoding in the common
     * case), grows the prefix eightfold while it fits, then halves the interval down to 1/512 of it.
     */
    private static final int SEARCH_START = 4_096;

    private static final int SEARCH_GROWTH = 8;
    private static final int SEARCH_PRECISION_SHIFT = 9;

    private CompletedOffsets() {}

    /**
     * The metadata carrying the offsets of {@code completed} beyond {@code committed} (increasing;
     * those at or below {@code committed} carry nothing), or "" if none fits in {@code maxChars}.
     *
     * @throws IllegalArgumentException if {@code committed} is negative or {@code completed} does not increase
     */
    static String encode(long committed, long[] completed, int maxChars) {
        Arguments.atLeast("committed", committed, 0);
        Runs runs = new Runs(committed, completed);
        long room = ((long) maxChars - PREFIX.length()) * 3 / 4 - HEADER_BYTES; // Base64: 3 bytes in 4 chars
        int all = runs.offsets();
        if (all == 0 || room < 1 || committed > Long.MAX_VALUE - MAX_DISTANCE) {
            return "";
        }
        // One per call, at the fastest level: the slower ones search long hash chains in these repetitive
        // payloads, taking up to 20 times as long for at most 2% more offsets (CompletedOffsetsProbe's patterns).
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        Form bitmap = new Form(BITMAP, runs, committed, room, deflater);
        Form runLengths = new Form(RUNS, runs, committed, room, deflater);
        try {
            // Growing a prefix while it fits keeps the cost to what fits, however many were offered.
            byte[] best = null;
            int fits = 0;
            int fails = all + 1;
            for (int prefix = Math.min(SEARCH_START, all);
                    ;
                    prefix = (int) Math.min((long) SEARCH_GROWTH * prefix, all)) {
                byte[] encoded = shorter(bitmap.encode(prefix), runLengths.encode(prefix));
                if (encoded == null) {
                    fails = prefix;
                    break;
                }
                fits = prefix;
                best = encoded;
                if (prefix == all) {
                    break;
                }
            }
            while (fails - fits > Math.max(1, fails >>> SEARCH_PRECISION_SHIFT)) {
                int prefix = (fits + fails) >>> 1;
                byte[] encoded = shorter(bitmap.encode(prefix), runLengths.encode(prefix));
                if (encoded == null) {
                    fails = prefix;
                } else {
                    fits = prefix;
                    best = encoded;
                }
            }
            return best == null
                    ? ""
                    : PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(best);
        } finally {
            deflater.end();
        }
    }

    /** The offsets in {@code metadata}; none if it is in neither format or is damaged. Never throws. */
    static NavigableSet<Long> decode(long committed, String metadata) {
        if (metadata == null || committed < 0) {
            return new TreeSet<>();
        }
        if (metadata.startsWith(ORDO1_PREFIX)) {
            return decodeOrdo1(committed, metadata);
        }
        if (!metadata.startsWith(PREFIX) || committed > Long.MAX_VALUE - MAX_DISTANCE) {
            return new TreeSet<>();
        }
        try {
            return decodeOrdo2(committed, Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length())));
        } catch (IllegalArgumentException | DataFormatException damaged) {
            return new TreeSet<>(); // handle everything again rather than skip wrongly
        }
    }

    /**
     * The {@code ordo1:} format of earlier versions: comma-separated base-36 distances, the highest left
     * out beyond {@code maxChars}. Kept to show that such strings still decode, and to measure against.
     */
    static String encodeOrdo1(long committed, long[] completed, int maxChars) {
        StringBuilder out = new StringBuilder(ORDO1_PREFIX);
        for (long offset : completed) {
            String item = Long.toString(offset - committed, 36);
            if (out.length() + item.length() + 1 > maxChars) {
                break;
            }
            if (out.length() > ORDO1_PREFIX.length()) {
                out.append(',');
            }
            out.append(item);
        }
        return out.length() == ORDO1_PREFIX.length() ? "" : out.toString();
    }

    private static NavigableSet<Long> decodeOrdo1(long committed, String metadata) {
        NavigableSet<Long> offsets = new TreeSet<>();
        try {
            for (String item : metadata.substring(ORDO1_PREFIX.length()).split(",")) {
                long distance = Long.parseLong(item, 36);
                if (distance > 0) {
                    offsets.add(committed + distance);
                }
            }
        } catch (NumberFormatException e) {
            offsets.clear(); // foreign or damaged: handle everything again rather than skip wrongly
        }
        return offsets;
    }

    private static byte[] shorter(byte[] a, byte[] b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return b.length < a.length ? b : a;
    }

    private static NavigableSet<Long> decodeOrdo2(long committed, byte[] bytes) throws DataFormatException {
        NavigableSet<Long> offsets = new TreeSet<>();
        if (bytes.length <= HEADER_BYTES || (bytes[0] != BITMAP && bytes[0] != RUNS)) {
            return offsets;
        }
        byte kind = bytes[0];
        byte[] payload = inflate(bytes, kind == BITMAP ? MAX_DISTANCE / 8 : MAX_RUNS_BYTES);
        if (payload == null
                || checksum(committed, kind, payload, payload.length)
                        != ByteBuffer.wrap(bytes, 1, 4).getInt()) {
            return offsets;
        }
        if (kind == BITMAP) {
            for (int i = 0; i < payload.length; i++) {
                for (int bits = payload[i] & 0xff; bits != 0; bits &= bits - 1) {
                    offsets.add(committed + 8L * i + Integer.numberOfTrailingZeros(bits) + 1);
                }
            }
            return offsets;
        }
        return readRuns(committed, payload, offsets) ? offsets : new TreeSet<>();
    }

    /** The stream after the header, inflated; null if it is cut short, followed by more, or beyond {@code limit}. */
    private static byte[] inflate(byte[] bytes, int limit) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
            byte[] out = new byte[Math.min(limit + 1, 8 * bytes.length + 64)];
            int length = 0;
            while (!inflater.finished()) {
                if (length == out.length) {
                    if (out.length > limit) {
                        return null; // no encoder of this format writes that much
                    }
                    out = Arrays.copyOf(out, (int) Math.min(limit + 1L, 2L * out.length));
                }
                int inflated = inflater.inflate(out, length, out.length - length);
                if (inflated == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                length += inflated;
            }
            return inflater.getRemaining() == 0 && length <= limit ? Arrays.copyOf(out, length) : null;
        } finally {
            inflater.end();
        }
    }

    /** Adds the offsets of a runs payload; false if it is malformed or reaches beyond {@link #MAX_DISTANCE}. */
    private static boolean readRuns(long committed, byte[] payload, NavigableSet<Long> offsets) {
        ByteBuffer gaps = ByteBuffer.wrap(payload);
        long count = readVarint(gaps);
        if (count < 1) {
            return false;
        }
        ByteBuffer lengths = gaps.duplicate();
        for (long i = 0; i < count; i++) {
            if (readVarint(lengths) < 0) {
                return false;
            }
        }
        int gapsEnd = lengths.position();
        long distance = 0; // of the last position passed
        for (long i = 0; i < count; i++) {
            long gap = readVarint(gaps);
            long length = readVarint(lengths);
            if (gap < 0 || length < 0) {
                return false;
            }
            distance += gap + (i == 0 ? 0 : 1);
            long end = distance + length + 1;
            if (end > MAX_DISTANCE) {
                return false;
            }
            while (distance < end) {
                offsets.add(committed + ++distance);
            }
        }
        return gaps.position() == gapsEnd && !lengths.hasRemaining();
    }

    /** An unsigned varint of at most 3 bytes (enough for {@link #MAX_DISTANCE}); -1 if cut short or longer. */
    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 21; shift += 7) {
            if (!in.hasRemaining()) {
                return -1;
            }
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        return -1;
    }

    private static int writeVarint(byte[] out, int at, int value) {
        while (value >= 0x80) {
            out[at++] = (byte) (value | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    /** Over the committed offset too, so that one commit's metadata is refused beside another offset. */
    private static int checksum(long committed, byte kind, byte[] payload, int length) {
        CRC32C crc = new CRC32C();
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (committed >>> shift));
        }
        crc.update(kind);
        crc.update(payload, 0, length);
        return (int) crc.getValue();
    }

    /**
     * The offsets in reach as runs of consecutive ones (distances from the committed offset), found as
     * far as the prefixes tried need them: each form writes a prefix in time linear in its runs.
     */
    private static final class Runs {
        private final long committed;
        private final long[] completed;
        /** The offsets in reach are {@code completed[from, to)}; those up to {@code next} are in runs. */
        private final int from;

        private final int to;
        private int next;
        private int[] starts = new int[16];
        /** How many offsets the runs up to each hold. */
        private int[] ends = new int[16];

        private int count;

        /** Checks that the offsets increase, and finds those at distance 1 to {@link #MAX_DISTANCE}. */
        Runs(long committed, long[] completed) {
            this.committed = committed;
            this.completed = completed;
            int first = completed.length;
            int beyond = completed.length;
            for (int i = 0; i < completed.length; i++) {
                if (i > 0 && completed[i] <= completed[i - 1]) {
                    throw new IllegalArgumentException("completed offsets must increase, was " + completed[i]
                            + " after " + completed[i - 1] + " at index " + i);
                }
                if (first == completed.length && completed[i] > committed) {
                    first = i;
                }
                if (beyond == completed.length && completed[i] > committed && completed[i] - committed > MAX_DISTANCE) {
                    beyond = i;
                }
            }
            this.from = first;
            this.to = Math.max(first, beyond);
            this.next = first;
        }

        int offsets() {
            return to - from;
        }

        /** The index of the run that holds the {@code prefix}-th offset, finding runs as far as it. */
        int runOf(int prefix) {
            while (count == 0 || ends[count - 1] < prefix) {
                findNext();
            }
            int found = Arrays.binarySearch(ends, 0, count, prefix);
            return found >= 0 ? found : -found - 1;
        }

        int start(int run) {
            return starts[run];
        }

        /** The length of run {@code run}, cut at the {@code prefix}-th offset. */
        int length(int run, int prefix) {
            return Math.min(ends[run], prefix) - (run == 0 ? 0 : ends[run - 1]);
        }

        private void findNext() {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, 2 * count);
                ends = Arrays.copyOf(ends, 2 * count);
            }
            starts[count] = (int) (completed[next] - committed);
            next++;
            while (next < to && completed[next] == completed[next - 1] + 1) {
                next++;
            }
            ends[count++] = next - from;
        }
    }

    /** One form of the payload, written for a prefix of the runs, deflated and checked against the room. */
    private static final class Form {
        private final byte kind;
        private final Runs runs;
        private final long committed;
        private final long room;
        private final Deflater deflater;
        private byte[] payload = new byte[64];
        /** The header, then the stream. */
        private byte[] out = new byte[64];

        Form(byte kind, Runs runs, long committed, long room, Deflater deflater) {
            this.kind = kind;
            this.runs = runs;
            this.committed = committed;
            this.room = room;
            this.deflater = deflater;
        }

        /** The header and stream of the lowest {@code prefix} offsets, or null if the stream exceeds the room. */
        byte[] encode(int prefix) {
            int last = runs.runOf(prefix);
            int length = kind == BITMAP ? writeBitmap(last, prefix) : writeRuns(last, prefix);
            // One byte beyond the room (or above zlib's worst case, if less) tells a stream that overflows it.
            int limit = HEADER_BYTES + (int) Math.min(room, length + (length >>> 6) + 64) + 1;
            if (out.length < limit) {
                out = new byte[Math.max(limit, 2 * out.length)];
            }
            deflater.reset();
            deflater.setInput(payload, 0, length);
            deflater.finish();
            int end = HEADER_BYTES;
            while (!deflater.finished() && end < limit) {
                end += deflater.deflate(out, end, limit - end);
            }
            if (!deflater.finished() || end - HEADER_BYTES > room) {
                return null;
            }
            out[0] = kind;
            int crc = checksum(committed, kind, payload, length);
            for (int i = 0; i < 4; i++) {
                out[1 + i] = (byte) (crc >>> (24 - 8 * i));
            }
            return Arrays.copyOf(out, end);
        }

        private void ensurePayload(int bytes) {
            if (payload.length < bytes) {
                payload = new byte[Math.max(bytes, 2 * payload.length)];
            }
        }

        private int writeBitmap(int last, int prefix) {
            int bits = runs.start(last) + runs.length(last, prefix) - 1; // the distance of the last offset
            int length = (bits - 1) / 8 + 1;
            ensurePayload(length);
            Arrays.fill(payload, 0, length, (byte) 0);
            for (int run = 0; run <= last; run++) {
                int from = runs.start(run) - 1;
                int to = from + runs.length(run, prefix);
                for (; from < to && (from & 7) != 0; from++) {
                    payload[from >>> 3] |= (byte) (1 << (from & 7));
                }
                Arrays.fill(payload, from >>> 3, to >>> 3, (byte) -1);
                for (from = Math.max(from, to & ~7); from < to; from++) {
                    payload[from >>> 3] |= (byte) (1 << (from & 7));
                }
            }
            return length;
        }

        private int writeRuns(int last, int prefix) {
            ensurePayload(3 + 6 * (last + 1)); // varints of at most 3 bytes
            int at = writeVarint(payload, 0, last + 1);
            int passed = 0; // the distance of the last offset of the run before
            for (int run = 0; run <= last; run++) {
                at = writeVarint(payload, at, runs.start(run) - passed - 1 - (run == 0 ? 0 : 1));
                passed = runs.start(run) + runs.length(run, Integer.MAX_VALUE) - 1;
            }
            for (int run = 0; run <= last; run++) {
                at = writeVarint(payload, at, runs.length(run, prefix) - 1);
            }
            return at;
        }
    }
}
