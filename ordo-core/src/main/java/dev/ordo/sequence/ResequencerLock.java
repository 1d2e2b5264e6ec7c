package dev.ordo.sequence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The one lock of a {@link Resequencer}: reentrant and not fair, as a {@code ReentrantLock}, but let go
 * with one ordered (release) store instead of a volatile write. Uncontended, a {@code ReentrantLock}
 * costs two full fences per call (the acquiring compare-and-set and the releasing write), about as much
 * as everything else an offer does; this lock costs one.
 *
 * <p>The price: a release does not wait for its store to be seen before it looks for a waiter to wake,
 * so a thread that registers as a waiter at that very moment can miss its wake-up. No waiter relies on
 * one: after a short spin a waiter parks for at most {@link #PARK_SLICE_NANOS} at a time and looks at
 * the lock again itself, so a missed wake-up delays it by at most one slice and never leaves it waiting
 * for good. Wake-ups that are not missed (nearly all) come at once, as with {@code ReentrantLock}.
 *
 * <p>{@link #awaitNanos} and {@link #signalAll} stand in for a {@code Condition}: a waiter registers
 * under the lock before it lets go, and a signaller holds the lock, so a signal is never missed.
 */
final class ResequencerLock {

    /** The longest a waiter parks before it looks at the lock again (what a missed wake-up costs at most). */
    static final long PARK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Tries before a waiter parks: the lock is held for well under a microsecond per offer. */
    private static final int SPINS = 128;

    private static final VarHandle STATE;
    private static final VarHandle PARKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(ResequencerLock.class, "state", int.class);
            PARKED = lookup.findVarHandle(ResequencerLock.class, "parked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while held, else 0. */
    @SuppressWarnings("unused") // through STATE
    private volatile int state;

    /** How many threads are in {@link #waiters}: a release looks at the queue only if some are. */
    @SuppressWarnings("unused") // through PARKED
    private volatile int parked;

    /**
     * The holder, written by it alone: another thread reading it racily can only see its own thread
     * there while it holds the lock, which is all reentrancy and {@link #lockUnlessHeld()} ask.
     */
    private Thread owner;

    private int holds;
    /** Threads parked in {@link #lock()}, oldest first. */
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    /** Threads in {@link #awaitNanos}; guarded by the lock. */
    private final List<Thread> signalled = new ArrayList<>();

    void lock() {
        Thread me = Thread.currentThread();
        if (!STATE.compareAndSet(this, 0, 1)) {
            if (owner == me) {
                holds++;
                return;
            }
            acquireSlowly(me);
        }
        owner = me;
        holds = 1;
    }

    /** Takes the lock unless the calling thread holds it already (then returns false, changing nothing). */
    boolean lockUnlessHeld() {
        Thread me = Thread.currentThread();
        if (!STATE.compareAndSet(this, 0, 1)) {
            if (owner == me) {
                return false;
            }
            acquireSlowly(me);
        }
        owner = me;
        holds = 1;
        return true;
    }

    void unlock() {
        if (--holds > 0) {
            return;
        }
        owner = null;
        STATE.setRelease(this, 0);
        if ((int) PARKED.getOpaque(this) != 0) {
            Thread waiter = waiters.peek();
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }
    }

    private boolean tryAcquire() {
        return (int) STATE.getAcquire(this) == 0 && STATE.compareAndSet(this, 0, 1);
    }

    /** Spins a little, then parks in slices until it holds the lock; keeps an interrupt for the caller. */
    private void acquireSlowly(Thread me) {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if (tryAcquire()) {
                return;
            }
        }
        waiters.add(me);
        PARKED.getAndAdd(this, 1);
        boolean interrupted = false;
        try {
            while (!tryAcquire()) {
                LockSupport.parkNanos(this, PARK_SLICE_NANOS);
                interrupted |= Thread.interrupted();
            }
        } finally {
            PARKED.getAndAdd(this, -1);
            waiters.remove(me);
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /**
     * Lets go of the lock (held once by the caller), waits until {@link #signalAll} or {@code nanos}
     * passed, and takes it again. May return early; the caller looks at what it waits for again.
     *
     * @throws InterruptedException if interrupted while waiting (the lock is held again, the flag cleared)
     */
    void awaitNanos(long nanos) throws InterruptedException {
        Thread me = Thread.currentThread();
        signalled.add(me);
        unlock();
        try {
            LockSupport.parkNanos(this, nanos);
        } finally {
            lock();
            signalled.remove(me);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Wakes every thread in {@link #awaitNanos}; called under the lock. */
    void signalAll() {
        for (Thread t : signalled) {
            LockSupport.unpark(t);
        }
    }
}
