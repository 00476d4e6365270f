package io.flinkrecovery.inspect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs independent checks on a pool of threads, reporting progress as each one finishes. */
final class ParallelChecks {

    private ParallelChecks() {}

    /** The findings of all {@code checks}, in their order; the first failure is thrown. */
    static List<Finding> run(
            List<Callable<List<Finding>>> checks, int threads, Progress progress, String what)
            throws IOException {
        if (checks.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, Progress.daemon("inspect"));
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<List<Finding>>> results = new ArrayList<>();
            for (Callable<List<Finding>> check : checks) {
                results.add(
                        pool.submit(
                                () -> {
                                    List<Finding> found = check.call();
                                    progress.step(what, done.incrementAndGet(), checks.size());
                                    return found;
                                }));
            }
            List<Finding> findings = new ArrayList<>();
            for (Future<List<Finding>> result : results) {
                findings.addAll(result.get());
            }
            return findings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while " + what, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException
                    ? (IOException) e.getCause()
                    : new IOException("Failed while " + what, e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
