package io.flinkrecovery.compat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.testutils.TestingJobResultStore;

/** A failed job's result, for job result store tests. Flink 2.x records the job status. */
public final class FailedJobResults {

    private FailedJobResults() {}

    public static JobResult of(JobID job) {
        return TestingJobResultStore.createJobResult(job, JobStatus.FAILED);
    }

    public static boolean isFailed(JobResult result) {
        return result.getJobStatus().filter(JobStatus.FAILED::equals).isPresent();
    }
}
