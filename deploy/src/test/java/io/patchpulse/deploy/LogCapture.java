package io.patchpulse.deploy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything this JVM writes to standard error and standard output while open (slf4j-simple logs to
 * {@code System.err}, looked up at every line, so Kafka's, Javalin's and our own log lines all pass here), still
 * passed on to the original streams.
 */
final class LogCapture implements AutoCloseable {

    private final PrintStream originalErr = System.err;
    private final PrintStream originalOut = System.out;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    private LogCapture() {
        System.setErr(new PrintStream(new Tee(originalErr), true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new Tee(originalOut), true, StandardCharsets.UTF_8));
    }

    /** Starts capturing. */
    static LogCapture start() {
        return new LogCapture();
    }

    /** What was written so far. */
    String text() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setErr(originalErr);
        System.setOut(originalOut);
    }

    private final class Tee extends OutputStream {
        private final PrintStream next;

        Tee(PrintStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) {
            synchronized (captured) {
                captured.write(b);
            }
            next.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (captured) {
                captured.write(bytes, offset, length);
            }
            next.write(bytes, offset, length);
        }

        @Override
        public void flush() {
            next.flush();
        }
    }
}
