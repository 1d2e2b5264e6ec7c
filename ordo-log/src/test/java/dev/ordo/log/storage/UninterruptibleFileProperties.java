package dev.ordo.log.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class UninterruptibleFileProperties {

    /**
     * Appends, overwrites, reads and truncations in random order against a byte-array model: the
     * skipped seeks (when the file pointer is already where a call starts) must never make a call
     * read or write somewhere else.
     */
    @Property(tries = 40)
    void everyCallActsAtItsOwnPositionWhateverCameBefore(
            @ForAll @IntRange(min = 1, max = 300) int operations, @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        Path dir = Files.createTempDirectory("uf");
        Path path = dir.resolve("f");
        byte[] model = new byte[0];
        try (UninterruptibleFile file = new UninterruptibleFile(path)) {
            for (int i = 0; i < operations; i++) {
                int kind = random.nextInt(10);
                if (kind < 5) { // write: mostly appends, sometimes over existing bytes
                    int length = 1 + random.nextInt(64);
                    long position =
                            random.nextInt(4) == 0 && model.length > 0 ? random.nextInt(model.length) : model.length;
                    byte[] bytes = new byte[length];
                    random.nextBytes(bytes);
                    int offset = random.nextInt(3); // a buffer that does not start at its array's start
                    ByteBuffer src = ByteBuffer.allocate(length + offset + 2).position(offset);
                    src.put(bytes).flip().position(offset);
                    file.write(src, position);
                    assertThat(src.hasRemaining()).isFalse();
                    if (position + length > model.length) {
                        model = Arrays.copyOf(model, (int) position + length);
                    }
                    System.arraycopy(bytes, 0, model, (int) position, length);
                } else if (kind < 9) { // read from anywhere, also at or past the end
                    long position = random.nextInt(model.length + 2);
                    ByteBuffer dst = ByteBuffer.allocate(1 + random.nextInt(80));
                    int n = file.read(dst, position);
                    if (position >= model.length) {
                        assertThat(n).isEqualTo(-1);
                    } else {
                        assertThat(n).isPositive();
                        assertThat(Arrays.copyOf(dst.array(), n))
                                .isEqualTo(Arrays.copyOfRange(model, (int) position, (int) position + n));
                    }
                } else { // truncate
                    int size = model.length == 0 ? 0 : random.nextInt(model.length + 1);
                    file.truncate(size);
                    model = Arrays.copyOf(model, size);
                }
                assertThat(file.size()).isEqualTo(model.length);
            }
        }
        assertThat(Files.readAllBytes(path)).isEqualTo(model);
        Directories.deleteRecursively(dir);
    }

    /**
     * Forcing a closed file is a {@link java.nio.channels.ClosedChannelException}, as for a read: the
     * background forcer takes that for "deleted by retention meanwhile" and moves on. It was a
     * {@link java.io.SyncFailedException} from the released descriptor, logged as a failed force.
     */
    @Example
    void forcingAClosedFileSaysItIsClosed() throws Exception {
        Path dir = Files.createTempDirectory("uf");
        UninterruptibleFile file = new UninterruptibleFile(dir.resolve("f"));
        file.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        file.force();
        file.close();
        assertThatThrownBy(file::force).isInstanceOf(ClosedChannelException.class);
        Directories.deleteRecursively(dir);
    }
}
