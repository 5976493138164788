package io.dialtone.operator.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.dialtone.stats.StatsDocument;
import io.dialtone.stats.StatsDocument.Counters;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallLedgerTest {
    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant RESTARTED = Instant.parse("2026-12-01T11:00:00Z");

    /** A pod's /stats: {@code total} calls on trunk uid-a, {@code active} of them up, {@code noRule} rejected. */
    private static StatsDocument stats(String pod, Instant started, long sequence, long active, long total, long noRule) {
        Map<String, Long> rejections = noRule == 0 ? Map.of() : Map.of("no_rule", noRule);
        Counters counters = new Counters("", active, total, noRule, rejections, started);
        Counters trunk = new Counters("carrier", active, total, noRule, rejections, started);
        Counters rule = new Counters("rooms", active, total, 0, Map.of(), started);
        return new StatsDocument(new StatsDocument.Pod(pod, "uid-" + pod), "rev1", started, false, started, sequence,
                0, counters, Map.of("uid-a", trunk), Map.of("uid-r", rule));
    }

    private static Counters trunk(CallLedger ledger) {
        return ledger.totals().trunks().get("uid-a");
    }

    @Test
    void totalsAddEveryPodsCountersAndActiveCalls() {
        CallLedger ledger = CallLedger.EMPTY.record(stats("p1", STARTED, 5, 1, 3, 1)).record(stats("p2", STARTED, 2, 2, 2, 0));
        assertThat(ledger.totals().gateway().total()).isEqualTo(5);
        assertThat(ledger.totals().gateway().active()).isEqualTo(3);
        assertThat(trunk(ledger).rejections()).containsEntry("no_rule", 1L);
        assertThat(trunk(ledger).name()).isEqualTo("carrier");
        assertThat(ledger.totals().rules().get("uid-r").total()).isEqualTo(5);
    }

    @Test
    void aLaterReportReplacesTheEarlierAndAnOlderOneChangesNothing() {
        CallLedger ledger = CallLedger.EMPTY.record(stats("p1", STARTED, 5, 1, 3, 0)).record(stats("p1", STARTED, 9, 0, 7, 0));
        assertThat(trunk(ledger).total()).isEqualTo(7);
        assertThat(ledger.record(stats("p1", STARTED, 6, 1, 4, 0))).isEqualTo(ledger);
    }

    @Test
    void aRestartedProcessRetiresTheCountersOfTheOneBefore() {
        CallLedger ledger = CallLedger.EMPTY.record(stats("p1", STARTED, 5, 2, 4, 1)).record(stats("p1", RESTARTED, 1, 1, 1, 0));
        assertThat(trunk(ledger).total()).isEqualTo(5);
        assertThat(trunk(ledger).active()).as("the old process's calls ended with it").isEqualTo(1);
        assertThat(trunk(ledger).rejected()).isEqualTo(1);
        assertThat(ledger.record(stats("p1", STARTED, 9, 0, 6, 1))).as("a late answer of the process before")
                .isEqualTo(ledger);
    }

    @Test
    void aPodThatIsGoneKeepsItsTotalsButNotItsActiveCalls() {
        CallLedger ledger = CallLedger.EMPTY.record(stats("p1", STARTED, 5, 2, 4, 0)).record(stats("p2", STARTED, 1, 1, 1, 0))
                .retireAllBut(Set.of("uid-p2"));
        assertThat(ledger.pods()).containsOnlyKeys("uid-p2");
        assertThat(trunk(ledger).total()).isEqualTo(5);
        assertThat(trunk(ledger).active()).isEqualTo(1);
        assertThat(ledger.retireAllBut(Set.of("uid-p2"))).as("retired once").isEqualTo(ledger);
    }

    @Test
    void retiredCountersOfDeletedResourcesAreForgottenCallsWithoutATrunkStay() {
        StatsDocument report = stats("p1", STARTED, 3, 0, 2, 0);
        StatsDocument withNone = new StatsDocument(report.pod(), "rev1", STARTED, false, STARTED, 4, 0, report.gateway(),
                Map.of("uid-a", report.trunks().get("uid-a"), StatsDocument.NO_TRUNK, report.trunks().get("uid-a")),
                report.rules());
        CallLedger ledger = CallLedger.EMPTY.record(withNone).retireAllBut(Set.of()).forgettingAllBut(Set.of(), Set.of());
        assertThat(ledger.totals().trunks()).containsOnlyKeys(StatsDocument.NO_TRUNK);
        assertThat(ledger.totals().rules()).isEmpty();
        assertThat(ledger.totals().gateway().total()).isEqualTo(2);
    }

    @Test
    void aLedgerSurvivesItsConfigMap() throws Exception {
        CallLedger ledger = CallLedger.EMPTY.record(stats("p1", STARTED, 5, 1, 3, 1)).record(stats("p2", STARTED, 1, 0, 1, 0))
                .retireAllBut(Set.of("uid-p1")).withReadyPods(Map.of("uid-p1", "p1"));
        var configMap = new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("g-calls")
                .endMetadata().withData(Map.of(LedgerNames.DATA_KEY, LedgerNames.json(ledger))).build();
        assertThat(LedgerNames.read(configMap)).isEqualTo(ledger);
    }
}
