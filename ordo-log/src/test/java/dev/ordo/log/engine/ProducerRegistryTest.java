package dev.ordo.log.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ordo.log.storage.Directories;
import dev.ordo.log.storage.ProducerFencedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProducerRegistryTest {

    @TempDir
    Path data;

    /**
     * A registration that cannot be saved (a full disk; here the temporary file's name is taken by a
     * directory) changes nothing: the running instance is not fenced, and the next registration gets
     * the epoch the failed one would have had. Before, the failed one fenced the running instance.
     */
    @Test
    void aRegistrationThatCannotBeSavedLeavesEveryIdentityAsItWas() throws Exception {
        ProducerRegistry registry = ProducerRegistry.load(data);
        ProducerRegistry.Identity running = registry.register("teller");
        ProducerRegistry.Identity anonymous = registry.register(null);
        Path obstacle =
                Files.createDirectories(data.resolve("producers.json.tmp").resolve("in-the-way"));

        assertThatThrownBy(() -> registry.register("teller")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> registry.register(null)).isInstanceOf(IOException.class);
        registry.checkCurrent(running); // not fenced

        Directories.deleteRecursively(obstacle.getParent());
        ProducerRegistry.Identity next = registry.register("teller");
        assertThat(next).isEqualTo(new ProducerRegistry.Identity(running.id(), (short) (running.epoch() + 1)));
        assertThat(registry.register(null).id())
                .as("ids are not used up by failed registrations")
                .isEqualTo(anonymous.id() + 1);
        assertThatThrownBy(() -> registry.checkCurrent(running)).isInstanceOf(ProducerFencedException.class);
        assertThat(ProducerRegistry.load(data).register("teller").epoch())
                .as("after a reload")
                .isEqualTo((short) (next.epoch() + 1));
    }
}
