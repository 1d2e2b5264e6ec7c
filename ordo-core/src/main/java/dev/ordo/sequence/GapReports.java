package dev.ordo.sequence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * What an operator, a status line or a {@link ResequencerFullException} is told about the sources that
 * wait: every open gap, the head gap that has waited longest, the alerts of the halted sources. These
 * are read-only views built only when asked, over the waiting sources that {@link SourceWindows} keeps;
 * they live apart so that the windows hold only what offers change. Guarded by the resequencer's lock.
 *
 * @param <S> the source id type
 */
final class GapReports<S> {

    /** The waiting sources, in the order they started waiting (a live view, never changed here). */
    private final Collection<SourceState<S>> waiting;

    GapReports(Collection<SourceState<S>> waiting) {
        this.waiting = waiting;
    }

    /** Every open gap of every waiting source, the longest waiting first. */
    List<Gap<S>> gaps(long now) {
        List<Gap<S>> gaps = new ArrayList<>();
        for (SourceState<S> st : waiting) {
            gaps.addAll(st.gaps(now));
        }
        gaps.sort(Comparator.comparingLong(g -> g.sinceNanos() - now));
        return gaps;
    }

    /** The head gap that has waited longest, or null. */
    Gap<S> oldestGap(long now) {
        Gap<S> oldest = null;
        for (SourceState<S> st : waiting) {
            Gap<S> gap = st.headGap(now);
            if (gap != null && (oldest == null || gap.sinceNanos() - oldest.sinceNanos() < 0)) {
                oldest = gap;
            }
        }
        return oldest;
    }

    /** The alerts of the halted sources as they stand at {@code now}, in the order the sources started waiting. */
    List<CriticalAlert<S>> halted(long now) {
        List<CriticalAlert<S>> alerts = new ArrayList<>();
        for (SourceState<S> st : waiting) {
            if (st.halted) {
                alerts.add(st.alert(now));
            }
        }
        return alerts;
    }

    /** The waiting sources now, in the order they started waiting (a copy). */
    List<SourceState<S>> sources() {
        return new ArrayList<>(waiting);
    }
}
