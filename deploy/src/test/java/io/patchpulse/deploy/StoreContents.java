package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.deploy.embedded.AllInOne;
import io.patchpulse.sink.questdb.QuestDbHttp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What QuestDB holds, read back with SQL and keyed like {@link IndependentRecount}, for row-by-row comparison. */
final class StoreContents {

    private StoreContents() {
    }

    /** Every failure_trends and failure_errors row equals the recount, and no row is missing or extra. */
    static void assertEqualsRecount(AllInOne pipeline, IndependentRecount recount) {
        assertEqualsRecount(pipeline.questDbHttp(), recount);
    }

    /** The same for a QuestDB that services outside an {@link AllInOne} write to. */
    static void assertEqualsRecount(QuestDbHttp store, IndependentRecount recount) {
        assertThat(trends(store)).isEqualTo(recount.rows());
        assertThat(errors(store)).isEqualTo(recount.failedByError());
    }

    private static Map<String, List<Long>> trends(QuestDbHttp store) {
        Map<String, List<Long>> stored = new HashMap<>();
        trendRows(store).forEach(row -> assertThat(stored.put(row.getKey(), row.getValue()))
                .as("failure_trends holds %s once", row.getKey()).isNull());
        return stored;
    }

    /**
     * Every failure_trends row, keyed like {@link IndependentRecount#byKey()}, with attempts, failures, devices
     * attempted, failed and succeeded; a key the table holds twice is listed twice.
     */
    static List<Map.Entry<String, List<Long>>> trendRows(QuestDbHttp questDb) {
        List<Map.Entry<String, List<Long>>> rows = new ArrayList<>();
        for (Map<String, Object> row : questDb.query("SELECT ts, kb, size_bucket, free_bucket,"
                + " bitlocker, attempts, failures, devices_attempted, devices_failed, devices_succeeded"
                + " FROM failure_trends")) {
            rows.add(Map.entry(epochMillis(row.get("ts")) + "|" + row.get("kb") + "|" + row.get("size_bucket") + "|"
                    + row.get("free_bucket") + "|" + row.get("bitlocker"),
                    List.of(n(row, "attempts"), n(row, "failures"), n(row, "devices_attempted"),
                            n(row, "devices_failed"), n(row, "devices_succeeded"))));
        }
        return rows;
    }

    private static Map<String, Long> errors(QuestDbHttp store) {
        Map<String, Long> stored = new HashMap<>();
        for (Map<String, Object> row : store.query("SELECT ts, kb, error_code, size_bucket,"
                + " free_bucket, bitlocker, devices_failed FROM failure_errors")) {
            String key = epochMillis(row.get("ts")) + "|" + row.get("kb") + "|" + row.get("error_code") + "|"
                    + row.get("size_bucket") + "|" + row.get("free_bucket") + "|" + row.get("bitlocker");
            assertThat(stored.put(key, n(row, "devices_failed"))).as("failure_errors holds %s once", key).isNull();
        }
        return stored;
    }

    private static long n(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    private static long epochMillis(Object ts) {
        return Instant.parse(ts.toString()).toEpochMilli();
    }
}
