package io.dialtone.routing;

import io.dialtone.api.v1alpha1.SipTrunkSpec;

/**
 * The trunk a call arrives on: a SipTrunk, or {@link #NONE}, no trunk, for a call admitted by acceptWithoutTrunk
 * (and, on a refusal, for one that matched no trunk). One type in place of a null, so whatever names, counts or
 * configures a call by its trunk says in one place what a call without one gets.
 */
public sealed interface CallTrunk permits CompiledTrunk, CallTrunk.None {
    None NONE = new None();

    /** The trunk's name; "" without one, the label metrics and status use for "no trunk". */
    String name();

    /** The SipTrunk's UID, by which the operator counts its calls; "" without a trunk or outside a cluster. */
    String uid();

    /** For messages: "SipTrunk NAME", or that there is none. */
    String describe();

    /** The settings the call goes by: the trunk's spec, or an empty trunk's defaults without one. */
    SipTrunkSpec spec();

    /** Whether callers must pass digest authentication first. */
    boolean requiresAuth();

    /** No trunk: a call admitted by acceptWithoutTrunk rings, lasts and answers as an empty SipTrunk's would. */
    record None() implements CallTrunk {
        private static final SipTrunkSpec DEFAULTS = new SipTrunkSpec(null, null, null, null, null, null, null, null,
                null, null, null, null, null);

        @Override
        public String name() {
            return "";
        }

        @Override
        public String uid() {
            return "";
        }

        @Override
        public String describe() {
            return "no trunk (acceptWithoutTrunk)";
        }

        @Override
        public SipTrunkSpec spec() {
            return DEFAULTS;
        }

        @Override
        public boolean requiresAuth() {
            return false;
        }
    }
}
