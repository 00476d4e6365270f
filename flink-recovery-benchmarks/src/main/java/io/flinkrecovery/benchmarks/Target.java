package io.flinkrecovery.benchmarks;

/** One of issue 3's targets for our backend, with the value this run measured and its verdict. */
record Target(String what, String value, boolean met) {

    /** The target as the text report prints it. */
    String line() {
        return String.format("%-50s %-22s %s", what + ":", value, Stats.verdict(met));
    }
}
