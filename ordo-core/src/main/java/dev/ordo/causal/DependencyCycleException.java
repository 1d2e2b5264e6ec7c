package dev.ordo.causal;

import dev.ordo.OrdoException;
import java.util.List;

/** Messages that depend on each other in a circle can never be delivered; the cycle is named. */
public class DependencyCycleException extends OrdoException {

    private final List<String> cycle;

    public DependencyCycleException(List<String> cycle) {
        super("dependency cycle: " + String.join(" -> ", cycle));
        this.cycle = List.copyOf(cycle);
    }

    /** The ids on the cycle, first repeated at the end. */
    public List<String> cycle() {
        return cycle;
    }
}
