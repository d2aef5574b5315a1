package io.patchpulse.schemas.topics;

import org.apache.kafka.common.serialization.Serde;

/** A topic's full name with the serdes of its keys and values: the one place both are defined. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
