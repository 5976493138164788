package io.dialtone.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations the resources use ({@link SpecRules#DURATION}): 500ms, 30s, 15m, 1h30m. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || !text.matches(SpecRules.DURATION)) {
            throw new IllegalArgumentException("'" + text + "' " + SpecRules.DURATION_MESSAGE);
        }
        Duration total = Duration.ZERO;
        Matcher matcher = PART.matcher(text);
        while (matcher.find()) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        return total;
    }
}
