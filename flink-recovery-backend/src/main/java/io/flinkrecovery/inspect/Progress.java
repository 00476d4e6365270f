package io.flinkrecovery.inspect;

import java.io.PrintStream;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Progress of long walks, for a person watching: at most a line a second. */
public interface Progress {

    Progress NONE = (what, done, total) -> {};

    void step(String what, long done, long total);

    /** Prints "what: done/total" to {@code out}, throttled to a line a second and the last one. */
    static Progress to(PrintStream out) {
        return new Progress() {
            private long lastPrinted;

            @Override
            public synchronized void step(String what, long done, long total) {
                long now = System.currentTimeMillis();
                if (done == total || now - lastPrinted >= 1000) {
                    lastPrinted = now;
                    out.println(what + ": " + done + "/" + total);
                }
            }
        };
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread =
                    new Thread(runnable, "flink-recovery-" + name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
