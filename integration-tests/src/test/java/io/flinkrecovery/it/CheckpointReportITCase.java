package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code flink-recovery-inspect report} over real checkpoint chains of our backend, HashMap and
 * RocksDB incremental: its JSON agrees with Flink's checkpoint statistics and with the inspector's
 * own commands, and headless Chromium renders its HTML page with the same numbers: one row per
 * checkpoint, charts whose bars have size, key-group strips, the slowest subtask marked. The page
 * and a screenshot stay under {@code target/report-browser/}.
 */
class CheckpointReportITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUT = Path.of("target", "report-browser");
    private static final int RETAINED = 4;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-report");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3,
                                    2,
                                    // The JobManager's setting: how many checkpoints it retains.
                                    Map.of(
                                            "execution.checkpointing.num-retained",
                                            Integer.toString(RETAINED))));

    @Test
    void reportsEveryBackendsChainAndChromiumRendersIt(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        Chromium chromium = Chromium.find(OUT.resolve("chromium"));
        Map<String, String> expectedBackend =
                Map.of(
                        "incremental-heap", "INCREMENTAL_HEAP",
                        "hashmap", "FULL_KEY_GROUPS",
                        "rocksdb-incremental", "ROCKSDB_INCREMENTAL");
        for (String backend : List.of("incremental-heap", "hashmap", "rocksdb-incremental")) {
            Chain chain = runChain(flink, backend);
            Path dir = OUT.resolve(backend);
            Files.createDirectories(dir);
            Path html = dir.resolve("report.html");

            InspectorRuns.Result result =
                    cli(
                            "report",
                            chain.jobDir,
                            "--html",
                            html.toString(),
                            "--json",
                            "--parallelism",
                            "3");
            assertThat(result.code).as(result.err).isZero();
            assertThat(result.err).contains("Wrote " + html);
            JsonNode report = JSON.readTree(result.out);

            // The JSON shape the README documents.
            assertFields(
                    report,
                    "jobDirectory",
                    "generatedAt",
                    "checkpoints",
                    "incompleteCheckpoints",
                    "keyGroups",
                    "restorePlans",
                    "space");
            assertFields(
                    report.get("checkpoints").get(0),
                    "id",
                    "pointer",
                    "backend",
                    "valid",
                    "stateBytes",
                    "newBytes",
                    "reusedBytes",
                    "objects",
                    "metadataBytes",
                    "completed",
                    "writtenBy",
                    "findings");
            assertFields(
                    report.get("restorePlans").get(0), "parallelism", "slowestSubtask", "subtasks");
            assertFields(
                    report.get("space"),
                    "storedObjects",
                    "storedBytes",
                    "liveBytes",
                    "orphanedObjects",
                    "orphanedBytes",
                    "youngUnreferencedBytes",
                    "amplification");
            if (backend.equals("incremental-heap")) {
                assertFields(
                        report.get("keyGroups").get(0),
                        "operator",
                        "subtask",
                        "firstKeyGroup",
                        "newBytes",
                        "reusedBytes",
                        "bytes",
                        "chainDepths");
            }

            // The report's numbers are Flink's own, and the inspector's.
            JsonNode checkpoints = report.get("checkpoints");
            assertThat(checkpoints).as(backend).hasSize(RETAINED);
            for (JsonNode c : checkpoints) {
                assertThat(c.get("backend").asText()).isEqualTo(expectedBackend.get(backend));
                assertThat(c.get("valid").asBoolean()).isTrue();
                CompletedCheckpointStats stats = chain.completed.get(c.get("id").asLong());
                assertThat(stats).as("Flink's statistics of chk-%s", c.get("id")).isNotNull();
                assertThat(c.get("stateBytes").asLong()).isEqualTo(stats.getStateSize());
                assertThat(c.get("newBytes").asLong()).isEqualTo(stats.getCheckpointedSize());
                assertThat(c.get("pointer").asText()).isEqualTo(stats.getExternalPath());
            }
            JsonNode newest = checkpoints.get(RETAINED - 1);
            assertThat(newest.get("pointer").asText()).isEqualTo(chain.latest);
            JsonNode validate = JSON.readTree(cli("validate", chain.latest, "--json").out);
            assertThat(newest.get("objects").asInt())
                    .isEqualTo(validate.get("objectsChecked").asInt());
            long reused = 0;
            for (JsonNode c : checkpoints) {
                reused += c.get("reusedBytes").asLong();
            }
            if (backend.equals("hashmap")) {
                assertThat(reused).as("full snapshots reuse nothing").isZero();
            } else {
                assertThat(reused).as("%s checkpoints reuse earlier uploads", backend).isPositive();
            }

            JsonNode plans = report.get("restorePlans");
            assertThat(plans).hasSize(2);
            assertThat(plans.get(0).get("parallelism").asInt()).isEqualTo(2);
            assertThat(plans.get(1).get("parallelism").asInt()).isEqualTo(3);
            for (JsonNode plan : plans) {
                JsonNode planned =
                        JSON.readTree(
                                cli(
                                                "plan",
                                                chain.latest,
                                                "--parallelism",
                                                plan.get("parallelism").asText(),
                                                "--json")
                                        .out);
                assertThat(plan.get("subtasks")).isEqualTo(planned.get("subtasks"));
            }

            JsonNode keyGroups = report.get("keyGroups");
            if (backend.equals("rocksdb-incremental")) {
                assertThat(keyGroups).as("RocksDB's files say nothing per key group").isEmpty();
            } else {
                assertThat(keyGroups).hasSize(2);
                int covered = 0;
                for (JsonNode k : keyGroups) {
                    covered += k.get("bytes").size();
                    assertThat(k.has("chainDepths")).isEqualTo(backend.equals("incremental-heap"));
                }
                assertThat(covered).as("every key group of the operator").isEqualTo(128);
            }

            JsonNode space = report.get("space");
            assertThat(space.get("storedBytes").asLong())
                    .isEqualTo(
                            space.get("liveBytes").asLong()
                                    + space.get("orphanedBytes").asLong()
                                    + space.get("youngUnreferencedBytes").asLong());
            assertThat(space.get("liveBytes").asLong()).isPositive();

            // What Chromium renders of the page.
            JsonNode dom = render(chromium, html, dir.resolve("check.html"));
            assertRendered(dom, report, backend);
            if (backend.equals("incremental-heap")) {
                Path png = dir.resolve("report.png");
                chromium.screenshot(html, png, 1200, 1400);
                assertNotBlank(png);
            }
        }

        // The checks fail on a broken page: a history chart without bars.
        Path good = OUT.resolve("incremental-heap").resolve("report.html");
        Path broken = OUT.resolve("broken").resolve("report.html");
        Files.createDirectories(broken.getParent());
        String page = Files.readString(good);
        Files.writeString(
                broken, page.replaceAll("<rect class=\"bar [a-z]+\"[^>]*>.*?</rect>", ""));
        JsonNode report =
                JSON.readTree(cli("report", jobDirOf(good), "--json", "--parallelism", "3").out);
        JsonNode brokenDom = render(chromium, broken, broken.resolveSibling("check.html"));
        assertThatThrownBy(() -> assertRendered(brokenDom, report, "incremental-heap"))
                .hasMessageContaining("bars of chk-");
    }

    private static final Map<Path, String> JOB_DIRS = new HashMap<>();

    private static String jobDirOf(Path html) {
        return JOB_DIRS.get(html);
    }

    /** A job on {@code backend} that completed more checkpoints than are retained, cancelled. */
    private static Chain runChain(MiniCluster flink, String backend) throws Exception {
        String prefix = "report-" + backend;
        Configuration config = TestClusters.s3Storage(S3, prefix);
        TestClusters.useBackend(config, backend);
        config.setString("recovery.storage.inline-threshold", "100b");
        JobID job =
                JobRuns.start(
                        config,
                        RunningTotalsJob.builder(prefix)
                                .events(60_000)
                                .keys(2_000)
                                .eventsPerSecond(6_000)
                                .build(),
                        2);
        CheckpointStatsSnapshot stats =
                Checkpoints.awaitStats(
                        flink,
                        job,
                        RETAINED + 2 + " checkpoints",
                        s -> Checkpoints.completed(s) >= RETAINED + 2);
        flink.cancelJob(job).get();
        JobRuns.awaitStatus(flink, job, JobStatus.CANCELED);
        stats = Checkpoints.stats(flink, job);
        Map<Long, CompletedCheckpointStats> completed = new HashMap<>();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint.getStatus() == CheckpointStatsStatus.COMPLETED) {
                completed.put(checkpoint.getCheckpointId(), (CompletedCheckpointStats) checkpoint);
            }
        }
        String jobDir = TestClusters.checkpointDir(S3, prefix) + "/" + job;
        JOB_DIRS.put(OUT.resolve(backend).resolve("report.html"), jobDir);
        return new Chain(jobDir, Checkpoints.latestPointer(stats), completed);
    }

    /** Loads {@code html} in Chromium through the check page; what it rendered, as JSON. */
    private static JsonNode render(Chromium chromium, Path html, Path checkPage)
            throws IOException, InterruptedException {
        try (InputStream in =
                CheckpointReportITCase.class.getResourceAsStream("/report-check/check.html")) {
            String check = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Files.writeString(
                    checkPage, check.replace("REPORT_FILE", html.getFileName().toString()));
        }
        String dom = chromium.dumpDom(checkPage);
        int start = dom.indexOf("<pre id=\"result\">");
        int end = dom.indexOf("</pre>", start);
        assertThat(start).as("the check page in the DOM Chromium dumped").isNotNegative();
        String result =
                dom.substring(start + "<pre id=\"result\">".length(), end)
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&");
        assertThat(result).as("the check page's script ran").startsWith("{");
        return JSON.readTree(result);
    }

    /** The rendered page shows the report's numbers, in charts that have size. */
    private static void assertRendered(JsonNode dom, JsonNode report, String backend) {
        assertThat(dom.get("externalResources").asInt()).as("nothing fetched").isZero();
        List<String> sections = new ArrayList<>();
        dom.get("sections").forEach(s -> sections.add(s.asText()));
        if (backend.equals("rocksdb-incremental")) {
            assertThat(sections).containsExactly("findings", "history", "restore", "space");
        } else {
            assertThat(sections)
                    .containsExactly("findings", "history", "key-groups", "restore", "space");
        }
        assertThat(dom.get("findings").asText()).contains("pass the fast check");

        JsonNode checkpoints = report.get("checkpoints");
        JsonNode rows = dom.get("rows");
        assertThat(rows).as("one row per checkpoint").hasSize(checkpoints.size());
        for (int i = 0; i < checkpoints.size(); i++) {
            JsonNode c = checkpoints.get(checkpoints.size() - 1 - i); // newest first
            JsonNode row = rows.get(i);
            assertThat(row.get("id").asText()).isEqualTo(c.get("id").asText());
            assertThat(row.get("valid").asText()).isEqualTo("true");
            assertThat(row.get("state").asLong()).isEqualTo(c.get("stateBytes").asLong());
            assertThat(row.get("new").asLong()).isEqualTo(c.get("newBytes").asLong());
            assertThat(row.get("reused").asLong()).isEqualTo(c.get("reusedBytes").asLong());
            assertThat(row.get("objects").asLong()).isEqualTo(c.get("objects").asLong());
            assertThat(row.get("text").asText()).contains("chk-" + c.get("id").asText(), "valid");
        }
        JsonNode bars = dom.get("historyBars");
        assertThat(bars).as("a bar group per checkpoint").hasSize(checkpoints.size());
        for (int i = 0; i < checkpoints.size(); i++) {
            JsonNode c = checkpoints.get(i);
            JsonNode group = bars.get(i);
            assertThat(group.get("id").asText()).isEqualTo(c.get("id").asText());
            double height = 0;
            for (JsonNode bar : group.get("bars")) {
                long bytes = bar.get("bytes").asLong();
                String kind = bar.get("kind").asText();
                assertThat(bytes)
                        .isEqualTo(
                                kind.endsWith("new")
                                        ? c.get("newBytes").asLong()
                                        : c.get("reusedBytes").asLong());
                if (bytes > 0) {
                    assertThat(bar.get("width").asDouble()).as("rendered width").isPositive();
                }
                height += bar.get("height").asDouble();
            }
            if (height <= 0) {
                throw new AssertionError(
                        "The bars of chk-" + c.get("id").asText() + " have no height: " + group);
            }
        }

        JsonNode strips = dom.get("strips");
        JsonNode keyGroups = report.get("keyGroups");
        assertThat(strips).hasSize(keyGroups.size());
        for (int i = 0; i < keyGroups.size(); i++) {
            JsonNode k = keyGroups.get(i);
            JsonNode strip = strips.get(i);
            assertThat(strip.get("subtask").asInt()).isEqualTo(k.get("subtask").asInt());
            assertThat(strip.get("bytes")).isEqualTo(k.get("bytes"));
            assertThat(strip.get("bytesRendered").asInt())
                    .as("a bar per key group with bytes")
                    .isEqualTo(countPositive(k.get("bytes")));
            if (k.has("chainDepths")) {
                assertThat(strip.get("depths")).isEqualTo(k.get("chainDepths"));
                assertThat(strip.get("depthCellsRendered").asInt())
                        .isEqualTo(k.get("chainDepths").size());
            } else {
                assertThat(strip.get("depthCells").asInt()).isZero();
            }
        }

        JsonNode plans = dom.get("plans");
        assertThat(plans).hasSize(report.get("restorePlans").size());
        for (int i = 0; i < plans.size(); i++) {
            JsonNode plan = report.get("restorePlans").get(i);
            JsonNode shown = plans.get(i);
            assertThat(shown.get("parallelism").asInt()).isEqualTo(plan.get("parallelism").asInt());
            assertThat(shown.get("slowestBars").asInt()).as("one slowest subtask").isEqualTo(1);
            Set<Boolean> positive = new HashSet<>();
            shown.get("bars").forEach(w -> positive.add(w.asDouble() > 0));
            assertThat(positive).as("plan bars have width").containsExactly(true);
            for (int s = 0; s < plan.get("subtasks").size(); s++) {
                JsonNode subtask = plan.get("subtasks").get(s);
                JsonNode row = shown.get("rows").get(s);
                assertThat(row.get("bytes").asLong()).isEqualTo(subtask.get("bytes").asLong());
                assertThat(row.get("gets").asLong()).isEqualTo(subtask.get("gets").asLong());
                assertThat(row.get("slowest").asBoolean())
                        .isEqualTo(
                                subtask.get("subtask").asInt()
                                        == plan.get("slowestSubtask").asInt());
            }
        }

        JsonNode space = report.get("space");
        assertThat(dom.get("space").get("stored").asLong())
                .isEqualTo(space.get("storedBytes").asLong());
        assertThat(dom.get("space").get("live").asLong())
                .isEqualTo(space.get("liveBytes").asLong());
        assertThat(dom.get("space").get("orphaned").asLong())
                .isEqualTo(space.get("orphanedBytes").asLong());
        assertThat(dom.get("space").get("amplification").asDouble())
                .isEqualTo(space.get("amplification").asDouble());
        assertThat(dom.get("spaceBars").get(0).get("kind").asText()).isEqualTo("space live");
        assertThat(dom.get("spaceBars").get(0).get("width").asDouble()).isPositive();
    }

    private static void assertFields(JsonNode node, String... names) {
        List<String> fields = new ArrayList<>();
        node.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("fields of %s", node).containsExactly(names);
    }

    private static int countPositive(JsonNode values) {
        int count = 0;
        for (JsonNode value : values) {
            if (value.asLong() > 0) {
                count++;
            }
        }
        return count;
    }

    /** A screenshot with some colours in it: charts and text, not an empty page. */
    private static void assertNotBlank(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("%s is a PNG", png).isNotNull();
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("colours in %s", png).isGreaterThan(20);
    }

    private static InspectorRuns.Result cli(String... args) {
        return InspectorRuns.run(S3, args);
    }

    private static final class Chain {
        final String jobDir;
        final String latest;
        final Map<Long, CompletedCheckpointStats> completed;

        Chain(String jobDir, String latest, Map<Long, CompletedCheckpointStats> completed) {
            this.jobDir = jobDir;
            this.latest = latest;
            this.completed = completed;
        }
    }
}
