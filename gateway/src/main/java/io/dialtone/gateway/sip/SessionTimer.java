package io.dialtone.gateway.sip;

import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.header.Header;

/**
 * A call's session timer (RFC 4028): how long the session lasts without a refresh, and which side refreshes it (a
 * re-INVITE or UPDATE). The gateway takes the interval the caller asks for, down to {@link #MIN_SE}, and lets the
 * caller refresh when it can (it says {@code Supported: timer}); otherwise the gateway refreshes with UPDATE.
 */
record SessionTimer(Duration interval, Refresher refresher) {
    /** RFC 4028's floor, and the gateway's Min-SE. */
    static final Duration MIN_SE = Duration.ofSeconds(90);
    private static final Pattern SESSION_EXPIRES = Pattern.compile(
            "^\\s*(\\d{1,9})\\s*(?:;(.*))?$");
    private static final Pattern REFRESHER = Pattern.compile("(?i)(?:^|;)\\s*refresher\\s*=\\s*(uac|uas)\\s*(?:;|$)");

    enum Refresher { uac, uas }

    /** What the INVITE asks for. */
    sealed interface Asked {
        /** No Session-Expires: no session timer. */
        record None() implements Asked { }

        /** Session-Expires below {@link #MIN_SE}: 422, with Min-SE. */
        record TooSmall(Duration asked) implements Asked { }

        /** The timer the call runs with. */
        record Agreed(SessionTimer timer) implements Asked { }
    }

    /** The Session-Expires header of a response to an INVITE or a refresh. */
    String header() {
        return interval.toSeconds() + ";refresher=" + refresher.name();
    }

    /** When the side that does not refresh ends the session: before it expires (RFC 4028 section 10). */
    Duration expiresAfter() {
        return interval.minus(min(Duration.ofSeconds(32), interval.dividedBy(3)));
    }

    /** When the gateway, as refresher, refreshes: at half the interval (RFC 4028 section 10). */
    Duration refreshAfter() {
        return interval.dividedBy(2);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static Asked requested(javax.sip.message.Request invite) {
        Header expires = invite.getHeader("Session-Expires");
        if (expires == null) {
            expires = invite.getHeader("x");
        }
        if (expires == null) {
            return new Asked.None();
        }
        String value = headerValue(expires);
        Matcher matcher = SESSION_EXPIRES.matcher(value);
        if (!matcher.matches()) {
            return new Asked.None();
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(matcher.group(1)));
        if (asked.compareTo(MIN_SE) < 0) {
            return new Asked.TooSmall(asked);
        }
        boolean callerRefreshes = supportsTimer(invite);
        Matcher refresher = REFRESHER.matcher(matcher.group(2) == null ? "" : matcher.group(2));
        Refresher who = refresher.find() ? Refresher.valueOf(refresher.group(1).toLowerCase(Locale.ROOT))
                : callerRefreshes ? Refresher.uac : Refresher.uas;
        if (who == Refresher.uac && !callerRefreshes) {
            // A caller that does not do timers cannot refresh; a proxy on the way asked for it.
            who = Refresher.uas;
        }
        return new Asked.Agreed(new SessionTimer(asked, who));
    }

    private static boolean supportsTimer(javax.sip.message.Request invite) {
        for (String name : new String[] {"Supported", "k"}) {
            Iterator<?> headers = invite.getHeaders(name);
            while (headers.hasNext()) {
                for (String option : headerValue((Header) headers.next()).split(",")) {
                    if (option.trim().equalsIgnoreCase("timer")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A header's value as it came, whatever class the stack parsed it into. */
    private static String headerValue(Header header) {
        String text = header.toString().trim();
        int colon = text.indexOf(':');
        return colon < 0 ? "" : text.substring(colon + 1).trim();
    }
}
