package io.patchpulse.deploy.cli;

import java.io.PrintWriter;

/** A progress line rewritten in place about twice a second: "publishing 12,000 / 52,528 records (22 %)". */
final class ProgressLine {

    private static final long EVERY_NANOS = 500_000_000L;

    private final PrintWriter out;
    private final String what;
    private final long total;
    private final String unit;
    private long done;
    private long lastPrint;
    private String note = "";

    ProgressLine(PrintWriter out, String what, long total) {
        this(out, what, total, "records");
    }

    ProgressLine(PrintWriter out, String what, long total, String unit) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.unit = unit;
    }

    void advance() {
        advance(1);
    }

    void advance(long amount) {
        done += amount;
        long now = System.nanoTime();
        if (now - lastPrint > EVERY_NANOS) {
            print();
            lastPrint = now;
        }
    }

    /** Text shown after the count from the next print on, e.g. where a paced replay is; empty for none. */
    void note(String text) {
        note = text.isEmpty() ? "" : ", " + text;
    }

    void done() {
        print();
        out.println();
        out.flush();
    }

    private void print() {
        out.printf("\r%s %,d / %,d %s (%d %%)%s", what, done, total, unit, done * 100 / Math.max(1, total), note);
        out.flush();
    }
}
