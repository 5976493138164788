package io.dialtone.gateway.sip;

import java.util.Locale;
import java.util.Optional;

/**
 * The digit in a SIP INFO body: {@code application/dtmf-relay} ({@code Signal=5} on a line of its own, with
 * {@code Duration=...} beside it) or {@code application/dtmf} (the digit alone). Some phones send 10 and 11 for
 * {@code *} and {@code #}, as RFC 4733 numbers them.
 */
final class InfoDigits {
    private InfoDigits() {
    }

    /** The digit; empty when the body carries none. */
    static Optional<Character> parse(String contentType, String body) {
        String value = null;
        if (contentType.equals("application/dtmf")) {
            value = body.trim();
        } else {
            for (String line : body.split("\r?\n")) {
                int equals = line.indexOf('=');
                if (equals > 0 && line.substring(0, equals).trim().equalsIgnoreCase("signal")) {
                    value = line.substring(equals + 1).trim();
                }
            }
        }
        if (value == null) {
            return Optional.empty();
        }
        value = value.toUpperCase(Locale.ROOT);
        return switch (value) {
            case "10" -> Optional.of('*');
            case "11" -> Optional.of('#');
            default -> value.length() == 1 && "0123456789*#ABCD".indexOf(value.charAt(0)) >= 0
                    ? Optional.of(value.charAt(0)) : Optional.empty();
        };
    }
}
