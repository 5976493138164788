package io.dialtone.gateway.cli;

/** Exit codes shared by the subcommands, so scripts can tell a refused configuration from a rejected call. */
final class ExitCodes {
    static final int OK = 0;
    /** The configuration has errors, or the command itself failed. */
    static final int FAILURE = 1;
    /** The configuration is fine but the sample call is rejected. */
    static final int REJECTED = 3;

    private ExitCodes() {
    }
}
