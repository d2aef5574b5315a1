package io.patchpulse.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one fault run lost and doubled, measured against an independent recount of the accepted input, and kept as
 * the figures RELIABILITY.md quotes: one JSON file per fault under {@code target/fault-report/} plus a line in
 * {@code summary.tsv} there.
 *
 * <p>A record is one install result the collector or Kafka acknowledged. A trend row counts records in its
 * {@code attempts}, so per row and cohort, attempts stored below the recount are lost records and attempts above it
 * are doubled ones. A row whose device counts differ while its attempts agree is counted as a differing row (a
 * device counted twice or not at all), and a key stored more than once as a duplicate row whose records (those of
 * the smaller copy) count as doubled too, as they would in any sum over the table. The fault passes only when
 * all four are zero.
 */
final class FaultReport {

    static final Path DIR = Path.of("target", "fault-report");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int SHOWN_DIFFERENCES = 20;

    /**
     * The result of one fault.
     *
     * @param fault         short name, also the file name
     * @param store         where the counts were read (QuestDB, the failure-trends topic, ...)
     * @param accepted      records accepted (acknowledged) by the pipeline, from the recount
     * @param counted       records the store counts (sum of attempts)
     * @param lost          records accepted but not counted
     * @param doubled       records counted more often than accepted
     * @param rowsDifferent rows whose attempts agree but whose other counts do not
     * @param rowsDuplicate keys stored in more than one row
     * @param figures       fault-specific figures (outage length, records sent during it, recovery time, ...)
     * @param differences   the first differences, for diagnosis
     */
    record Outcome(String fault, String store, long accepted, long counted, long lost, long doubled,
            long rowsDifferent, long rowsDuplicate, Map<String, Object> figures, List<String> differences) {

        boolean clean() {
            return lost == 0 && doubled == 0 && rowsDifferent == 0 && rowsDuplicate == 0;
        }
    }

    private FaultReport() {
    }

    /**
     * Compares stored trend rows with the recount.
     *
     * @param stored each stored row as its key ({@code windowStartMillis|kb|size|free|bitlocker}, the recount's) and
     *               its counts (attempts, failures, devices attempted, failed, succeeded); a key may occur more than
     *               once when the store holds it more than once
     */
    static Outcome compare(String fault, String store, IndependentRecount recount,
            Collection<Map.Entry<String, List<Long>>> stored, Map<String, Object> figures) {
        Map<String, List<Long>> actual = new TreeMap<>();
        long duplicates = 0;
        long duplicateAttempts = 0;
        for (Map.Entry<String, List<Long>> row : stored) {
            List<Long> earlier = actual.put(row.getKey(), row.getValue());
            if (earlier != null) {
                // A key stored twice counts its records twice in any sum over the table: the smaller row's are doubled.
                duplicates++;
                duplicateAttempts += Math.min(earlier.get(0), row.getValue().get(0));
                if (earlier.get(0) > row.getValue().get(0)) {
                    actual.put(row.getKey(), earlier);
                }
            }
        }
        Map<String, List<Long>> expected = recount.rows();
        long accepted = 0;
        long counted = 0;
        long lost = 0;
        long doubled = 0;
        long different = 0;
        List<String> differences = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            List<Long> want = expected.get(key);
            List<Long> got = actual.get(key);
            long wantAttempts = want == null ? 0 : want.get(0);
            long gotAttempts = got == null ? 0 : got.get(0);
            accepted += wantAttempts;
            counted += gotAttempts;
            lost += Math.max(0, wantAttempts - gotAttempts);
            doubled += Math.max(0, gotAttempts - wantAttempts);
            if (wantAttempts == gotAttempts && want != null && !want.equals(got)) {
                different++;
            }
            if ((want == null || !want.equals(got)) && differences.size() < SHOWN_DIFFERENCES) {
                differences.add(key + ": expected " + want + ", stored " + got);
            }
        }
        return new Outcome(fault, store, accepted, counted + duplicateAttempts, lost, doubled + duplicateAttempts,
                different, duplicates,
                new TreeMap<>(figures), differences);
    }

    /**
     * Writes the outcome under {@link #DIR}, prints it, and fails the test unless nothing was lost or doubled.
     * The file is written first, so a failing run leaves its figures too.
     */
    static void record(Outcome outcome) {
        try {
            Files.createDirectories(DIR);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("fault", outcome.fault());
            json.put("at", Instant.now().toString());
            json.put("store", outcome.store());
            json.put("accepted", outcome.accepted());
            json.put("counted", outcome.counted());
            json.put("lost", outcome.lost());
            json.put("doubled", outcome.doubled());
            json.put("rowsDifferent", outcome.rowsDifferent());
            json.put("rowsDuplicate", outcome.rowsDuplicate());
            json.put("figures", outcome.figures());
            json.put("differences", outcome.differences());
            JSON.writeValue(DIR.resolve(outcome.fault() + ".json").toFile(), json);
            String line = String.join("\t", outcome.fault(), outcome.store(), Long.toString(outcome.accepted()),
                    Long.toString(outcome.counted()), Long.toString(outcome.lost()), Long.toString(outcome.doubled()),
                    Long.toString(outcome.rowsDifferent() + outcome.rowsDuplicate()), outcome.figures().toString());
            Files.writeString(DIR.resolve("summary.tsv"), line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("FAULT " + line);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the fault report under " + DIR.toAbsolutePath(), e);
        }
        assertThat(outcome.differences())
                .as("%s: %d accepted, %d counted, %d lost, %d doubled, %d rows differ, %d duplicate rows",
                        outcome.fault(), outcome.accepted(), outcome.counted(), outcome.lost(), outcome.doubled(),
                        outcome.rowsDifferent(), outcome.rowsDuplicate())
                .isEmpty();
        assertThat(outcome.clean()).as("%s lost or doubled records", outcome.fault()).isTrue();
    }
}
