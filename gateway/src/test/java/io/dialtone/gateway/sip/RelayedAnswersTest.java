package io.dialtone.gateway.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayedAnswersTest {
    private final RelayedAnswers answers = new RelayedAnswers();
    private final List<String> sent = new ArrayList<>();

    private RelayedAnswers.Order pass(String branch, int status) {
        return answers.pass(branch, status, () -> sent.add(branch + " " + status));
    }

    @Test
    void provisionalAnswersBeforeTheFinalOneGoOnInOrder() {
        assertThat(pass("a", 100)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(pass("a", 180)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(pass("a", 200)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(sent).containsExactly("a 100", "a 180", "a 200");
    }

    @Test
    void aProvisionalAnswerArrivingAfterTheFinalOneIsDropped() {
        pass("a", 200);
        assertThat(pass("a", 180)).isEqualTo(RelayedAnswers.Order.LATE);
        assertThat(sent).containsExactly("a 200");
    }

    @Test
    void finalRetransmissionsAndOtherBranchesStillGoOn() {
        pass("a", 200);
        assertThat(pass("a", 200)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(pass("b", 180)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(sent).containsExactly("a 200", "a 200", "b 180");
    }

    @Test
    void theOldestBranchesAreForgottenSoMemoryStaysBounded() {
        pass("first", 486);
        for (int i = 0; i < RelayedAnswers.REMEMBERED; i++) {
            pass("b" + i, 200);
        }
        assertThat(pass("first", 180)).isEqualTo(RelayedAnswers.Order.SEND);
        assertThat(pass("b" + (RelayedAnswers.REMEMBERED - 1), 180)).isEqualTo(RelayedAnswers.Order.LATE);
    }
}
