package io.flinkrecovery.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** What the benchmark job's values are made of, which decides what compression can gain. */
enum ValueKind {
    /** Random bytes: no codec shrinks them. The default, as in the earlier results. */
    RANDOM,

    /** Random words of a small vocabulary: compressible about as records of text are. */
    TEXT;

    private static final String[] WORDS = {
        "user",
        "session",
        "click",
        "view",
        "cart",
        "order",
        "payment",
        "refund",
        "search",
        "page",
        "home",
        "product",
        "category",
        "country",
        "DE",
        "FR",
        "US",
        "GB",
        "mobile",
        "desktop",
        "tablet",
        "chrome",
        "firefox",
        "safari",
        "campaign",
        "email",
        "banner",
        "referrer",
        "status",
        "ok",
        "failed",
        "pending",
        "amount",
        "currency",
        "EUR",
        "USD",
        "quantity",
        "price",
        "discount",
        "true",
        "false",
        "null",
        "id",
        "timestamp",
        "region",
        "north",
        "south",
        "east",
        "west",
        "premium",
        "basic",
        "trial",
        "active",
        "inactive",
        "{",
        "}",
        ":",
        ",",
        "\"",
        "0",
        "1",
        "2",
        "42",
        "2026-12-03"
    };

    /** Fills {@code pool}, of which each value is a slice, with bytes of this kind. */
    void fill(byte[] pool, SplittableRandom random) {
        if (this == RANDOM) {
            random.nextBytes(pool);
            return;
        }
        int at = 0;
        while (at < pool.length) {
            byte[] word = WORDS[random.nextInt(WORDS.length)].getBytes(StandardCharsets.UTF_8);
            int n = Math.min(word.length, pool.length - at);
            System.arraycopy(word, 0, pool, at, n);
            at += n;
            if (at < pool.length) {
                pool[at++] = ' ';
            }
        }
    }
}
