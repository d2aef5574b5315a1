package io.patchpulse.deploy.cli;

import io.patchpulse.schemas.values.BitLockerCohort;
import io.patchpulse.schemas.values.SizeBucket;
import io.patchpulse.sink.questdb.EmbeddedQuestDb;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The table the demo ends with, read back from QuestDB (not from the pipeline's memory). */
final class DemoReport {

    private static final int CELL = 20;

    private final QuestDbHttp questDb;

    DemoReport(QuestDbHttp questDb) {
        this.questDb = questDb;
    }

    void print(PrintWriter out, String kb) {
        List<Map<String, Object>> rows = questDb.query("SELECT size_bucket, bitlocker, sum(devices_failed) failed,"
                + " sum(devices_attempted) attempted FROM failure_trends WHERE kb = '" + kb + "'"
                + " GROUP BY size_bucket, bitlocker");
        Map<String, long[]> cells = new HashMap<>();
        for (Map<String, Object> row : rows) {
            cells.put(row.get("size_bucket") + "|" + row.get("bitlocker"),
                    new long[] {((Number) row.get("failed")).longValue(), ((Number) row.get("attempted")).longValue()});
        }
        out.printf("%s failure rate by recovery-partition size x BitLocker%n", kb);
        out.println("(devices failed / devices attempted, counted per hourly window and summed over the windows:"
                + " a device that retried in 3 hours counts 3 times)");
        out.printf("%-12s", "size");
        for (BitLockerCohort bitlocker : BitLockerCohort.values()) {
            out.printf("%" + CELL + "s", bitlocker.label());
        }
        out.println();
        for (SizeBucket size : SizeBucket.values()) {
            out.printf("%-12s", size.label());
            for (BitLockerCohort bitlocker : BitLockerCohort.values()) {
                long[] cell = cells.get(size.label() + "|" + bitlocker.label());
                out.printf("%" + CELL + "s", cell == null || cell[1] == 0 ? "-"
                        : String.format("%5.1f%% %,d/%,d", 100.0 * cell[0] / cell[1], cell[0], cell[1]));
            }
            out.println();
        }
    }

    static void printWhereToSend(PrintWriter out, String ingestUrl, java.nio.file.Path tokenFile) {
        out.println("Send your own telemetry while the demo runs (osquery, winlogbeat, eventlog-xml, wufb,");
        out.println("device-report, events):");
        out.printf("  ingest API:  %s/v1/   (bearer token in %s)%n", ingestUrl, tokenFile.toAbsolutePath());
        out.printf("  for example: ./patchpulse ingest --format osquery --url %s --token-file %s "
                + "osqueryd.results.log%n", ingestUrl, tokenFile.toAbsolutePath());
    }

    static void printWhereToQuery(PrintWriter out, EmbeddedQuestDb questDb) {
        out.println("Query the results yourself while the demo runs:");
        out.printf("  QuestDB web console: %s/index.html%n", questDb.httpUrl());
        out.printf("  PostgreSQL wire:     psql -h 127.0.0.1 -p %d -U admin -d qdb   (password: quest)%n",
                questDb.pgPort());
        out.println("  for example: SELECT ts, size_bucket, bitlocker, devices_failed, devices_attempted"
                + " FROM failure_trends WHERE kb = 'KB5034441' ORDER BY ts;");
        out.println("               SELECT size_bucket, bitlocker, sum(devices_failed) FROM failure_errors"
                + " WHERE error_code = '0x80070643' GROUP BY size_bucket, bitlocker;");
    }
}
