package dev.ordo.sequence;

/** See {@link GapPolicy#waitForever()}: nothing to decide, so no clock read on the buffering path. */
final class WaitForever extends GapPolicy {

    static final WaitForever INSTANCE = new WaitForever();

    private WaitForever() {}

    @Override
    public Kind kind() {
        return Kind.WAIT;
    }

    @Override
    boolean timed() {
        return false;
    }

    @Override
    <S> void apply(SourceState<S> source, long now, GapActions<S> actions) {}

    @Override
    public String toString() {
        return "waitForever()";
    }
}
