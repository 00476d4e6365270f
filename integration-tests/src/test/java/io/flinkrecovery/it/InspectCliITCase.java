package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import io.flinkrecovery.compat.InspectedOperatorNames;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The inspector CLI's commands, output and exit codes on a real retained checkpoint. */
class InspectCliITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-cli");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void commandsReportAndExitWithTheirCodes(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        Configuration config = TestClusters.s3Storage(S3, "cli");
        config.setString("recovery.storage.inline-threshold", "100b");
        JobID job =
                JobRuns.start(
                        config,
                        RunningTotalsJob.builder("cli")
                                .events(8_000)
                                .keys(50)
                                .eventsPerSecond(2_000)
                                .build(),
                        2);
        Checkpoints.awaitStats(flink, job, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        flink.cancelJob(job).get();
        JobRuns.awaitStatus(flink, job, JobStatus.CANCELED);
        String jobDir = TestClusters.checkpointDir(S3, "cli") + "/" + job;
        String latest = Checkpoints.latestPointer(Checkpoints.stats(flink, job));

        InspectorRuns.Result list = cli("list", jobDir);
        assertThat(list.code).isZero();
        assertThat(list.out).contains("checkpoint", "status", latest, "COMPLETED");

        InspectorRuns.Result validate = cli("validate", latest, "--deep");
        assertThat(validate.code).isZero();
        assertThat(validate.out).startsWith(latest + ": valid");
        assertThat(validate.err).as("progress on stderr").contains("reading objects:");

        InspectorRuns.Result json = cli("validate", latest, "--json");
        assertThat(json.code).isZero();
        assertThat(json.out)
                .startsWith("{\"pointer\":\"" + latest + "\"")
                .contains("\"valid\":true");
        JsonNode report = JSON.readTree(json.out);
        assertFields(
                report,
                "pointer",
                "checkpointId",
                "metadataVersion",
                "writtenBy",
                "valid",
                "objectsChecked",
                "referencedBytes",
                "inlinedBytes",
                "findings");
        assertThat(report.get("checkpointId").isIntegralNumber()).isTrue();
        assertThat(report.get("metadataVersion").isInt()).isTrue();
        assertThat(report.get("findings").isArray()).isTrue();

        JsonNode listed = JSON.readTree(cli("list", jobDir, "--json").out);
        assertThat(listed.isArray()).isTrue();
        assertFields(
                listed.get(0),
                "pointer",
                "checkpointId",
                "status",
                "objects",
                "bytes",
                "lastModified");
        assertThat(listed.get(0).get("pointer").asText()).isEqualTo(latest);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("COMPLETED");

        JsonNode planned = JSON.readTree(cli("plan", latest, "--parallelism", "3", "--json").out);
        assertFields(planned, "pointer", "parallelism", "subtasks");
        assertThat(planned.get("subtasks")).hasSize(3);
        assertFields(
                planned.get("subtasks").get(0),
                "operator",
                "subtask",
                "keyGroups",
                "bytes",
                "gets",
                "maxChainDepth");
        assertThat(planned.get("subtasks").get(2).get("keyGroups").asText()).isEqualTo("86-127");

        JsonNode noneValid = JSON.readTree(cli("latest-valid", jobDir, "--json").out);
        assertThat(noneValid.get("pointer").asText()).isEqualTo(latest);

        InspectorRuns.Result latestValid = cli("latest-valid", jobDir);
        assertThat(latestValid.code).isZero();
        assertThat(latestValid.out.trim()).isEqualTo(latest);

        InspectorRuns.Result plan = cli("plan", latest, "--parallelism", "3");
        assertThat(plan.code).isZero();
        assertThat(plan.out)
                .contains("with parallelism 3", "0-42", "43-85", "86-127")
                .contains(InspectedOperatorNames.ofUids(RunningTotalsJob.TOTALS_UID));

        ObjectLocation metadata = ObjectLocation.parse(latest + "/_metadata");
        S3CheckpointStorage.fromConfig(config).objectStore().deleteBatch(List.of(metadata));
        InspectorRuns.Result broken = cli("validate", latest);
        assertThat(broken.code).isEqualTo(1);
        assertThat(broken.out).contains("MISSING_METADATA", "Missing " + metadata);

        // A TaskManager killed while uploading state, and a FileSink file whose checkpoint failed.
        ObjectStore store = S3CheckpointStorage.fromConfig(config).objectStore();
        ObjectLocation crashed = ObjectLocation.parse(jobDir + "/shared/crashed");
        String crashedUpload = store.startMultipartUpload(crashed, "w1");
        String out = "s3://" + S3.bucket() + "/cli/out/";
        ObjectLocation partFile = ObjectLocation.parse(out + "2024-01-01/part-7-0");
        String partUpload = store.startMultipartUpload(partFile, "w2");

        JsonNode orphansJson = JSON.readTree(cli("orphans", jobDir, "--grace", "0s", "--json").out);
        assertFields(
                orphansJson,
                "jobDirectory",
                "liveObjects",
                "tooYoung",
                "workingFiles",
                "deleted",
                "orphanBytes",
                "orphans",
                "abandonedUploads");
        assertFields(orphansJson.get("abandonedUploads").get(0), "object", "uploadId", "initiated");
        assertThat(orphansJson.get("abandonedUploads").get(0).get("uploadId").asText())
                .isEqualTo(crashedUpload);

        InspectorRuns.Result orphans = cli("orphans", jobDir, "--grace", "0s");
        assertThat(orphans.code).as(orphans.out).isEqualTo(1);
        assertThat(orphans.out)
                .contains("not deleted (dry run; add --delete)")
                .contains(crashed + " (multipart upload " + crashedUpload + ")")
                .contains("1 multipart upload(s) never completed, not aborted (dry run")
                .doesNotContain(partUpload);

        ObjectLocation tail =
                ObjectLocation.parse(out + "2024-01-01/.part-7-1.tail." + UUID.randomUUID());
        store.put(tail, new byte[] {1, 2, 3});

        InspectorRuns.Result young = cli("leftovers", out);
        assertThat(young.code).as(young.out).isZero();
        assertThat(young.out)
                .contains(
                        "0 multipart upload(s) never completed and 0 tail object(s), older than 1 d");
        InspectorRuns.Result leftovers = cli("leftovers", out, "--grace", "0s", "--json");
        assertThat(leftovers.code).as(leftovers.out).isEqualTo(1);
        assertThat(leftovers.out)
                .startsWith("{\"deleted\":false,\"abandonedUploads\":[{\"object\":\"" + partFile)
                .contains("\"uploadId\":\"" + partUpload + "\"")
                .contains("\"abandonedTails\":[\"" + tail + "\"]");
        assertFields(JSON.readTree(leftovers.out), "deleted", "abandonedUploads", "abandonedTails");
        InspectorRuns.Result removed = cli("leftovers", out, "--grace", "0s", "--delete");
        assertThat(removed.code).as(removed.out).isZero();
        assertThat(removed.out)
                .contains("upload", partFile.toString(), partUpload)
                .contains("tail", tail.toString())
                .contains(
                        "1 multipart upload(s) never completed and 1 tail object(s), older than"
                                + " 0 ms, removed");
        assertThat(store.head(tail)).isEmpty();
        assertThat(S3.server().pendingMultipartUploads(S3.bucket())).containsExactly(crashed.key());
        store.abortMultipartUpload(crashed, crashedUpload);

        InspectorRuns.Result usage = cli("frobnicate", jobDir);
        assertThat(usage.code).isEqualTo(2);
        assertThat(usage.err)
                .contains("Unknown command 'frobnicate'", "Usage: flink-recovery-inspect");
    }

    /** The JSON shape the README documents: these fields, in this order. */
    private static void assertFields(JsonNode node, String... names) {
        List<String> fields = new ArrayList<>();
        node.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("fields of %s", node).containsExactly(names);
    }

    private static InspectorRuns.Result cli(String... args) {
        return InspectorRuns.run(S3, args);
    }
}
