package io.patchpulse.deploy.cli;

import java.io.PrintWriter;
import java.util.function.Supplier;

/** Waiting for a long-running service to stop: Ctrl-C (exit 0) or its own fatal error (exit 1). */
final class Services {

    private static final long CHECK_MS = 1_000;

    private Services() {
    }

    static int awaitStop(Supplier<Throwable> failure, PrintWriter err) throws InterruptedException {
        while (true) {
            Throwable error = failure.get();
            if (error != null) {
                err.println("stopped: " + error.getMessage());
                err.flush();
                return 1;
            }
            Thread.sleep(CHECK_MS);
        }
    }
}
