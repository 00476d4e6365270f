package io.flinkrecovery.compat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.clusterframework.ApplicationStatus;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.testutils.TestingJobResultStore;

/** A failed job's result, for job result store tests. Flink 1.20 records the application status. */
public final class FailedJobResults {

    private FailedJobResults() {}

    public static JobResult of(JobID job) {
        return TestingJobResultStore.createJobResult(job, ApplicationStatus.FAILED);
    }

    public static boolean isFailed(JobResult result) {
        return result.getApplicationStatus() == ApplicationStatus.FAILED;
    }
}
