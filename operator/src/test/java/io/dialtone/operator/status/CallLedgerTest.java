package io.dialtone.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallLedgerTest {
    private static final Instant OPERATOR_START = Instant.parse("2026-01-01T10:00:00Z");
    private static final Instant AFTER = OPERATOR_START.plusSeconds(60);
    private static final CallLedger.Key TRUNK = new CallLedger.Key("SipTrunk", "carrier");

    private static StatsDocument stats(String uid, Instant started, long active, long total, long rejected) {
        Counters counters = new Counters(active, total, rejected, rejected == 0 ? Map.of() : Map.of("no_rule", rejected),
                total == 0 ? null : started.plusSeconds(total));
        return new StatsDocument(new StatsDocument.Pod("pod-" + uid, uid), "rev1", started, false, started, counters,
                Map.of("carrier", counters), Map.of());
    }

    @Test
    void podsCountFromTheirStartAndAddUp() {
        CallLedger ledger = new CallLedger(OPERATOR_START);
        ledger.observe(stats("a", AFTER, 1, 3, 1));
        ledger.observe(stats("b", AFTER, 2, 5, 0));
        assertThat(ledger.counts(TRUNK)).isEqualTo(new CallLedger.Counts(3, 8, Map.of("no_rule", 1L), AFTER.plusSeconds(5)));
    }

    @Test
    void onlyWhatChangedBetweenScrapesIsAdded() {
        CallLedger ledger = new CallLedger(OPERATOR_START);
        ledger.observe(stats("a", AFTER, 0, 3, 0));
        assertThat(ledger.observe(stats("a", AFTER, 0, 3, 0))).as("nothing changed").isEmpty();
        assertThat(ledger.observe(stats("a", AFTER, 1, 4, 0))).contains(TRUNK, CallLedger.Key.GATEWAY);
        assertThat(ledger.counts(TRUNK).total()).isEqualTo(4);
    }

    @Test
    void aRestartedPodNeverMakesTheTotalGoBackwards() {
        CallLedger ledger = new CallLedger(OPERATOR_START);
        ledger.observe(stats("a", AFTER, 0, 10, 0));
        ledger.observe(stats("a", AFTER.plusSeconds(100), 0, 2, 0));
        assertThat(ledger.counts(TRUNK).total()).isEqualTo(12);
    }

    @Test
    void aPodThatRanBeforeTheOperatorCountsOnlyWhatItDoesAfterwards() {
        CallLedger ledger = new CallLedger(OPERATOR_START);
        Instant before = OPERATOR_START.minusSeconds(3600);
        ledger.observe(stats("a", before, 2, 40, 4));
        assertThat(ledger.counts(TRUNK).total()).as("already in the status the operator read back").isZero();
        assertThat(ledger.counts(TRUNK).active()).isEqualTo(2);
        ledger.observe(stats("a", before, 0, 43, 4));
        assertThat(ledger.counts(TRUNK).total()).isEqualTo(3);
    }

    @Test
    void aPodThatIsGoneTakesItsActiveCallsButNotItsTotals() {
        CallLedger ledger = new CallLedger(OPERATOR_START);
        ledger.observe(stats("a", AFTER, 2, 5, 0));
        assertThat(ledger.retain(Set.of())).contains(CallLedger.Key.PODS, TRUNK);
        assertThat(ledger.counts(TRUNK)).extracting(CallLedger.Counts::active, CallLedger.Counts::total)
                .containsExactly(0L, 5L);
        assertThat(ledger.revisions()).isEmpty();
    }

    @Test
    void statusTotalsAddTheLedgerToWhatTheStatusHeld() {
        CountBase base = new CountBase(100, Map.of("no_rule", 7L), "2025-12-31T00:00:00Z");
        CountBase.Totals totals = base.plus(new CallLedger.Counts(1, 2, Map.of("no_rule", 1L, "auth_failed", 2L), AFTER));
        assertThat(totals).isEqualTo(new CountBase.Totals(1, 102, 10, Map.of("auth_failed", 2L, "no_rule", 8L),
                AFTER.toString()));
    }

    @Test
    void propagationNamesThePodsThatAreBehind() {
        Map<String, String> ready = Map.of("u1", "pod-1", "u2", "pod-2");
        assertThat(Propagation.of("gw", "revision r2", ready, Map.of("u1", "r2", "u2", "r2"), "r2"::equals).done()).isTrue();
        Propagation waiting = Propagation.of("gw", "revision r2", ready, Map.of("u1", "r2", "u2", "r1"), "r2"::equals);
        assertThat(waiting.done()).isFalse();
        assertThat(waiting.message()).isEqualTo("1 of 2 ready pod(s) run revision r2; waiting for pod-2");
        assertThat(Propagation.of("gw", "revision r2", Map.of(), Map.of(), "r2"::equals).message()).contains("no ready pod");
    }
}
