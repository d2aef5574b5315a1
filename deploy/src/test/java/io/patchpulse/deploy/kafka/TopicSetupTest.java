package io.patchpulse.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.patchpulse.schemas.topics.Topics;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicSetupTest {

    private final Topics topics = Topics.defaults();

    @Test
    void shouldNeedTwoReplicasInSyncForAWriteWhenATopicHasThreeOrMore() {
        assertThat(TopicSetup.configs(topics, topics.installEvents, 1024, (short) 3))
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
        assertThat(TopicSetup.configs(topics, topics.failureTrends, 1024, (short) 5))
                .containsEntry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2");
    }

    @Test
    void shouldLeaveTheBrokersDefaultWhenFewerReplicasCouldNotSurviveALossWithTwoInSync() {
        assertThat(TopicSetup.configs(topics, topics.installEvents, 1024, (short) 1))
                .doesNotContainKey(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        assertThat(TopicSetup.configs(topics, topics.installEvents, 1024, (short) 2))
                .doesNotContainKey(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    }
}
