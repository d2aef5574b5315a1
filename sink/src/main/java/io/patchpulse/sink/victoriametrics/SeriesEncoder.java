package io.patchpulse.sink.victoriametrics;

import java.time.Instant;

/**
 * How one topic's values become line-protocol samples: the key that identifies a value (the last value per key in a
 * batch wins), the event time its samples carry, and the lines themselves.
 *
 * @param <V> the topic's value type
 */
public interface SeriesEncoder<V> {

    /** Identifies the samples a value writes: two values with one key write the same series at the same time. */
    String key(V value);

    /** The event time of the value's samples (a window start, a day). */
    Instant timestamp(V value);

    /** Appends the value's lines, each ended with {@code at(timestamp(value))}. */
    void encode(V value, LineProtocol out);
}
