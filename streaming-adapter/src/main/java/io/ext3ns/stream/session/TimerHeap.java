package io.ext3ns.stream.session;

import java.util.Arrays;

/**
 * The scheduler thread's timer queue: a binary min-heap of (due time, ticket, work) kept in parallel arrays, so
 * scheduling a session again after every burst allocates nothing (a {@code PriorityQueue} of records made one object
 * per burst, and young collections stop the pacing threads). The arrays grow by doubling, which happens only while
 * the number of sessions grows. Not thread-safe: used by its scheduler thread only.
 */
final class TimerHeap {
    private long[] due = new long[64];
    private long[] ticket = new long[64];
    private Schedulable[] work = new Schedulable[64];
    private int size;

    void add(long dueNanos, long ticketValue, Schedulable w) {
        if (size == due.length) {
            int n = size * 2;
            due = Arrays.copyOf(due, n);
            ticket = Arrays.copyOf(ticket, n);
            work = Arrays.copyOf(work, n);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (due[parent] - dueNanos <= 0) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, dueNanos, ticketValue, w);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Due time of the earliest entry; only when not empty. */
    long firstDue() {
        return due[0];
    }

    long firstTicket() {
        return ticket[0];
    }

    Schedulable firstWork() {
        return work[0];
    }

    /** Removes the earliest entry. */
    void removeFirst() {
        int last = --size;
        long d = due[last];
        long t = ticket[last];
        Schedulable w = work[last];
        work[last] = null;
        if (last == 0) {
            return;
        }
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && due[child + 1] - due[child] < 0) {
                child++;
            }
            if (d - due[child] <= 0) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, d, t, w);
    }

    int size() {
        return size;
    }

    private void move(int from, int to) {
        set(to, due[from], ticket[from], work[from]);
    }

    private void set(int i, long d, long t, Schedulable w) {
        due[i] = d;
        ticket[i] = t;
        work[i] = w;
    }
}
