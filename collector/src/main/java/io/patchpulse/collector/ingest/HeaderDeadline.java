package io.patchpulse.collector.ingest;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that does not finish a request's headers in time (Go's {@code ReadHeaderTimeout}). Jetty
 * bounds a body by its idle timeout and minimum data rate, but headers only by the idle timeout: a client that
 * sends one header byte just often enough (slowloris) would hold its connection for hours. Jetty counts a request
 * in when its headers are complete and out when its answer starts; a connection whose counts stay equal (between
 * requests, headers trickling) and unchanged for a whole period is closed, so a new connection that has not sent
 * complete headers is cut off after one period, a kept-alive one between requests after one to two, while a long
 * upload or a slow answer is left to the other limits.
 */
final class HeaderDeadline implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);

    private final Scheduler scheduler;
    private final long periodMs;

    HeaderDeadline(Scheduler scheduler, Duration period) {
        this.scheduler = scheduler;
        this.periodMs = period.toMillis();
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection.getMessagesIn() < 0) {
            // Not an HTTP connection (under TLS, the encrypting connection beneath it, which counts no requests):
            // the HTTP connection on top of it gets its own deadline. Watching this one would close every TLS
            // connection after one period, in the middle of whatever it carries.
            return;
        }
        schedule(connection, connection.getMessagesIn());
    }

    private void schedule(Connection connection, long requestsBefore) {
        scheduler.schedule(() -> check(connection, requestsBefore), periodMs, TimeUnit.MILLISECONDS);
    }

    private void check(Connection connection, long requestsBefore) {
        if (!connection.getEndPoint().isOpen()) {
            return;
        }
        long requests = connection.getMessagesIn();
        boolean betweenRequests = requests == connection.getMessagesOut();
        if (betweenRequests && requests == requestsBefore) {
            LOG.info("Closing ingest connection from {}: no complete request headers for {} ms",
                    connection.getEndPoint().getRemoteSocketAddress(), periodMs);
            connection.getEndPoint().close();
            return;
        }
        schedule(connection, requests);
    }
}
