package io.patchpulse.sink;

import io.patchpulse.schemas.topics.Topic;
import java.util.List;
import java.util.Objects;

/**
 * One topic the sink reads and the writers its values go to, in order. A batch counts as written once every writer
 * has taken it; a writer that fails makes the whole batch come again, which the writers' idempotence makes harmless
 * for the ones that had already taken it.
 *
 * @param topic the topic (string keys, Avro values)
 * @param writers at least one
 * @param <V> the topic's value type
 */
public record SinkRoute<V>(Topic<String, V> topic, List<RecordWriter<V>> writers) {

    public SinkRoute {
        Objects.requireNonNull(topic, "topic");
        writers = List.copyOf(writers);
        if (writers.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one writer: " + topic.name());
        }
    }
}
