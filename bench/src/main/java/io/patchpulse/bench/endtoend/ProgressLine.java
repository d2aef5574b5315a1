package io.patchpulse.bench.endtoend;

import java.io.PrintWriter;

/** A progress line rewritten in place about twice a second, in the demo's style: "producing 12,000 / 52,528 records (22 %)". */
public final class ProgressLine {

    private static final long EVERY_NANOS = 500_000_000L;

    private final PrintWriter out;
    private final String what;
    private final long total;
    private final String unit;
    private long done;
    private long lastPrint;

    public ProgressLine(PrintWriter out, String what, long total, String unit) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.unit = unit;
    }

    /** Counts one more. */
    public void advance() {
        set(done + 1);
    }

    /** Sets the count (for progress observed from outside, e.g. rows in the store). */
    public void set(long count) {
        done = count;
        long now = System.nanoTime();
        if (now - lastPrint > EVERY_NANOS) {
            print();
            lastPrint = now;
        }
    }

    /** Prints the final count and ends the line. */
    public void done() {
        print();
        out.println();
        out.flush();
    }

    private void print() {
        out.printf("\r  %s %,d / %,d %s (%d %%)", what, done, total, unit, done * 100 / Math.max(1, total));
        out.flush();
    }
}
