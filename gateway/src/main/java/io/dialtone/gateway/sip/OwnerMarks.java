package io.dialtone.gateway.sip;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marks by which any gateway of a fleet tells which one a message belongs to, with nothing shared between them
 * but the peer list: the To tag a gateway gives its dialogs (every in-dialog request from the caller carries it) and
 * the Via branch of the requests it sends (every response carries it). Each starts with the gateway's peer id.
 */
final class OwnerMarks {
    private static final String COOKIE = "z9hG4bK";
    private static final Pattern TAG = Pattern.compile("([0-9a-f]{8})\\.[0-9a-f]+");
    private static final Pattern BRANCH = Pattern.compile(Pattern.quote(COOKIE) + "([0-9a-f]{8})\\.[0-9a-f]+");

    private OwnerMarks() {
    }

    static String tag(String ownerId) {
        return ownerId + "." + SipMessages.randomToken();
    }

    static String branch(String ownerId) {
        return COOKIE + ownerId + "." + SipMessages.randomToken();
    }

    static Optional<String> tagOwner(String tag) {
        return owner(TAG, tag);
    }

    static Optional<String> branchOwner(String branch) {
        return owner(BRANCH, branch);
    }

    private static Optional<String> owner(Pattern pattern, String mark) {
        if (mark == null) {
            return Optional.empty();
        }
        Matcher matcher = pattern.matcher(mark);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

}
