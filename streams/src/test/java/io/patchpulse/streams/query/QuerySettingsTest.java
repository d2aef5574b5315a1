package io.patchpulse.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.patchpulse.streams.StreamsSettings;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The {@code query.*} keys of {@link StreamsSettings}. */
class QuerySettingsTest {

    @Test
    void shouldServeOnLoopbackPort8091AndAdvertiseTheBoundAddressByDefault() {
        StreamsSettings settings = new StreamsSettings(Map.of("bootstrap.servers", "b:9092"));

        assertThat(settings.queryEnabled()).isTrue();
        assertThat(settings.queryListen()).isEqualTo(new HostInfo("127.0.0.1", 8091));
        assertThat(settings.queryAdvertised()).isEmpty();
    }

    @Test
    void shouldParseListenAndAdvertisedAddresses() {
        StreamsSettings settings = new StreamsSettings(Map.of("bootstrap.servers", "b:9092",
                "query.listen", "0.0.0.0:0", "query.advertised", "streams-1.example:18091", "query.enabled", "false"));

        assertThat(settings.queryEnabled()).isFalse();
        assertThat(settings.queryListen()).isEqualTo(new HostInfo("0.0.0.0", 0));
        assertThat(settings.queryAdvertised()).contains(new HostInfo("streams-1.example", 18091));
    }

    @ParameterizedTest
    @ValueSource(strings = {"8091", ":8091", "localhost", "localhost:http", "localhost:70000", "localhost:-1"})
    void shouldNameTheKeyOfABadListenAddress(String value) {
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1", "query.listen", value)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.listen");
    }

    @Test
    void shouldRefusePortZeroAsAnAdvertisedAddress() {
        assertThatThrownBy(() -> new StreamsSettings(Map.of("bootstrap.servers", "b:1",
                "query.advertised", "host:0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("query.advertised");
    }
}
