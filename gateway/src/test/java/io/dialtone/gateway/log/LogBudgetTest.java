package io.dialtone.gateway.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogBudgetTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogBudget budget = new LogBudget(2, Duration.ofSeconds(1), now::get);

    @Test
    void linesPastTheBudgetAreCountedAndTheNextLineSaysHowMany() {
        assertThat(budget.take()).contains(new LogBudget.Line(0));
        assertThat(budget.take()).contains(new LogBudget.Line(0));
        assertThat(budget.take()).isEmpty();
        assertThat(budget.take()).isEmpty();
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(budget.take()).as("the same window").isEmpty();
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(budget.take()).as("a new window").contains(new LogBudget.Line(3));
        assertThat(budget.take()).contains(new LogBudget.Line(0));
    }
}
