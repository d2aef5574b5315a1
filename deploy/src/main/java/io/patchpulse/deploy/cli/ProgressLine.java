package io.patchpulse.deploy.cli;

import java.io.PrintWriter;

/**
 * A progress line rewritten in place about twice a second: "publishing 12,000 / 52,528 records (22 %)". The CLI's
 * long commands and the bench harness share it.
 */
public final class ProgressLine {

    private static final long EVERY_NANOS = 500_000_000L;

    private final PrintWriter out;
    private final String what;
    private final long total;
    private final String unit;
    private long done;
    private long lastPrint;
    private String note = "";

    public ProgressLine(PrintWriter out, String what, long total) {
        this(out, what, total, "records");
    }

    public ProgressLine(PrintWriter out, String what, long total, String unit) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.unit = unit;
    }

    /** Counts one more. */
    public void advance() {
        advance(1);
    }

    /** Counts {@code amount} more. */
    public void advance(long amount) {
        set(done + amount);
    }

    /** Sets the count, for progress observed from outside (rows in a store, say). */
    public void set(long count) {
        done = count;
        long now = System.nanoTime();
        if (now - lastPrint > EVERY_NANOS) {
            print();
            lastPrint = now;
        }
    }

    /** Text shown after the count from the next print on, e.g. where a paced replay is; empty for none. */
    public void note(String text) {
        note = text.isEmpty() ? "" : ", " + text;
    }

    /** Prints the final count and ends the line. */
    public void done() {
        print();
        out.println();
        out.flush();
    }

    private void print() {
        out.printf("\r%s %,d / %,d %s (%d %%)%s", what, done, total, unit, done * 100 / Math.max(1, total), note);
        out.flush();
    }
}
