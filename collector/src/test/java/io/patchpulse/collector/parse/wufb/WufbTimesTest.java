package io.patchpulse.collector.parse.wufb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.collector.parse.BadField;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WufbTimesTest {

    @ParameterizedTest(name = "{0} [{1}]")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // API / Kusto / az: ISO, Kusto's 7 fractional digits cut to milliseconds, no offset is UTC
        "2024-01-09T18:04:11.123Z         | -          | 2024-01-09T18:04:11.123Z",
        "2024-01-09T18:04:11.1239999Z     | -          | 2024-01-09T18:04:11.123Z",
        "2024-01-09T18:04:11Z             | UTC        | 2024-01-09T18:04:11Z",
        "2024-01-09 18:04:11.123          | -          | 2024-01-09T18:04:11.123Z",
        "2024-01-09T19:04:11.123+01:00    | -          | 2024-01-09T18:04:11.123Z",
        "2024-01-09T19:04:11+0100         | UTC        | 2024-01-09T18:04:11Z",
        // Portal, en-US display form, with and without the comma; 12 AM is midnight, 12 PM noon
        "1/9/2024, 6:04:11.123 PM         | UTC        | 2024-01-09T18:04:11.123Z",
        "1/9/2024 6:04:11 PM              | UTC        | 2024-01-09T18:04:11Z",
        "01/09/2024, 12:00:00.000 AM      | UTC        | 2024-01-09T00:00:00Z",
        "1/9/2024, 12:30:00.000 PM        | UTC        | 2024-01-09T12:30:00Z",
        "1/9/2024, 7:04:11.123 PM         | UTC+01:00  | 2024-01-09T18:04:11.123Z",
        "1/9/2024, 1:04:11.123 PM         | UTC-5      | 2024-01-09T18:04:11.123Z",
        "1/9/2024 18:04                   | -          | 2024-01-09T18:04:00Z",
        // Microsoft's schema pages
        "2020/05/14 09:26:03.478 AM       | UTC        | 2020-05-14T09:26:03.478Z",
        // German Excel, day first with dots
        "09.01.2024 18:04:11              | UTC        | 2024-01-09T18:04:11Z",
        // Excel OLE Automation serial, as the schema pages show StartTime
        "45300.7528                       | UTC        | 2024-01-09T18:04:01.920Z",
        "45300                            | -          | 2024-01-09T00:00:00Z",
        // ConvertTo-Json of Windows PowerShell 5.1
        "/Date(1704823451123)/            | -          | 2024-01-09T18:04:11.123Z",
    })
    void shouldReadEverySpellingOfTheExports(String text, String zone, String expected) {
        assertThat(WufbTimes.parse(text, zone, "StartTime")).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "yesterday                  | -           | expected a date-time",
        "13/9/2024, 6:04:11 PM      | -           | not a valid date-time",
        "1/9/2024, 13:04:11 PM      | -           | not a valid date-time",
        "2024-01-09T25:00:00Z       | -           | not a valid date-time",
        "1/9/2024, 6:04:11 PM       | Local Time  | names no UTC offset",
        "1/9/2024, 6:04:11 PM       | UTC+25:00   | no valid UTC offset",
    })
    void shouldNameTheColumnOfAnUnreadableDate(String text, String zone, String message) {
        assertThatThrownBy(() -> WufbTimes.parse(text, zone, "StartTime"))
                .isInstanceOf(BadField.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((BadField) e).field()).isEqualTo("StartTime"));
    }
}
