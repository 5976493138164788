package io.dialtone.routing;

import io.dialtone.api.v1alpha1.CalleeRule;
import io.dialtone.api.v1alpha1.DirectRule;
import io.dialtone.api.v1alpha1.IndividualRule;
import io.dialtone.api.v1alpha1.RuleKind;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** LiveKit's room naming: {@code prefix_<caller>[_<random>]}, {@code prefix_<called>[_<random>]}, or the fixed name. */
public final class RoomNames {
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int SUFFIX_LENGTH = 12;

    private RoomNames() {
    }

    /** Twelve base-62 characters; room names are not secrets, so a fast generator is enough. */
    public static final Supplier<String> RANDOM_SUFFIX = () -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[SUFFIX_LENGTH];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    };

    static String roomFor(RuleKind kind, String caller, String called, Supplier<String> suffixes) {
        if (kind instanceof DirectRule direct) {
            return direct.roomName();
        }
        if (kind instanceof IndividualRule individual) {
            String room = individual.roomPrefix() + "_" + caller;
            return individual.noRandomness() ? room : room + "_" + suffixes.get();
        }
        CalleeRule callee = (CalleeRule) kind;
        String room = callee.roomPrefix() + "_" + called;
        return callee.randomize() ? room + "_" + suffixes.get() : room;
    }
}
