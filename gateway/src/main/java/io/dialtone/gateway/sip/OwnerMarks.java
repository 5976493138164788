package io.dialtone.gateway.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marks by which any gateway of a fleet tells which one a message belongs to, with nothing shared between them
 * but the peer list: the To tag a gateway gives its dialogs (every in-dialog request from the caller carries it), the
 * Via branch of the requests it sends (every response carries it), and the branch of the Via it adds when it relays
 * a request to the peer that owns it (the response comes back through it). Each starts with the gateway's peer id.
 */
final class OwnerMarks {
    private static final String COOKIE = "z9hG4bK";
    private static final Pattern TAG = Pattern.compile("([0-9a-f]{8})\\.[0-9a-f]+");
    private static final Pattern BRANCH = Pattern.compile(Pattern.quote(COOKIE) + "([0-9a-f]{8})\\.[0-9a-f]+");
    private static final Pattern RELAY = Pattern.compile(Pattern.quote(COOKIE) + "r([0-9a-f]{8})\\.[0-9a-f]+");

    private OwnerMarks() {
    }

    static String tag(String ownerId) {
        return ownerId + "." + random();
    }

    static String branch(String ownerId) {
        return COOKIE + ownerId + "." + random();
    }

    /**
     * The branch of the Via a relay adds: the same for every retransmission of a request and for the CANCEL and
     * non-2xx ACK of an INVITE (they share the caller's branch), so the owner matches them to one transaction.
     */
    static String relayBranch(String relayId, String callersBranch, String source) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((callersBranch + "\n" + source).getBytes(StandardCharsets.UTF_8));
            return COOKIE + "r" + relayId + "." + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static Optional<String> tagOwner(String tag) {
        return owner(TAG, tag);
    }

    static Optional<String> branchOwner(String branch) {
        return owner(BRANCH, branch);
    }

    static Optional<String> relayOwner(String branch) {
        return owner(RELAY, branch);
    }

    private static Optional<String> owner(Pattern pattern, String mark) {
        if (mark == null) {
            return Optional.empty();
        }
        Matcher matcher = pattern.matcher(mark);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static String random() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }
}
