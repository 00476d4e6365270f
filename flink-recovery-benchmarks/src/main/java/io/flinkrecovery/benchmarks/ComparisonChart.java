package io.flinkrecovery.benchmarks;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The chart of one {@link BackendComparison} run (one workload) for the README: above, the bytes
 * each backend uploaded per checkpoint, one line per backend on a log scale, with the bytes that
 * changed for reference; below, each backend's restore times as bars (median, with min-max
 * whiskers).
 */
final class ComparisonChart {

    static final int WIDTH = 900;

    private static final int LEFT = 80;
    private static final int RIGHT = WIDTH - 30;
    private static final int LEGEND_TOP = 54;
    private static final int LEGEND_ROW = 20;
    private static final int UPLOAD_HEIGHT = 260;
    private static final int LABELS = 190;
    private static final int ROW = 40;
    private static final String CHANGED = "bytes changed (upload chart)";
    private static final String[] COLOURS = {
        "#0969da", "#6e7781", "#bf8700", "#1a7f37", "#8250df", "#cf222e", "#1b7c83"
    };

    private ComparisonChart() {}

    static void write(ComparisonResults results, Path file) throws IOException {
        Files.writeString(file, render(results), StandardCharsets.UTF_8);
    }

    static String render(ComparisonResults results) {
        Collection<CheckpointRun> runs = results.runs().values();
        List<String> legend = new ArrayList<>();
        runs.forEach(r -> legend.add(r.backend.label()));
        legend.add(CHANGED);
        List<double[]> legendPlaces = legendPlaces(legend);
        int legendBottom = (int) legendPlaces.get(legendPlaces.size() - 1)[1] + 10;
        int uploadTop = legendBottom + 40;
        int restoreTop = uploadTop + UPLOAD_HEIGHT + 100;
        int height = restoreTop + 30 + runs.size() * ROW + 50;
        BenchmarkOptions options = results.options();
        String title =
                String.format(
                        Locale.ROOT,
                        "Backend comparison: %,d keys x %s%d B, %.2f%% of %s updated per"
                                + " checkpoint, parallelism %d",
                        options.keys,
                        options.mapEntries > 0 ? options.mapEntries + " map entries x " : "",
                        options.valueSize,
                        options.updateFraction * 100,
                        options.mapEntries > 0 ? "user entries" : "keys",
                        options.parallelism);
        SvgWriter svg = new SvgWriter(WIDTH, height, title);
        svg.text(LEFT, 22, title, "font-size", "15", "font-weight", "bold");
        RunEnvironment environment = results.environment();
        svg.text(
                LEFT,
                40,
                String.format(
                        Locale.ROOT,
                        "%s, %d cores, Flink %s, commit %s%s; MB = 10^6 bytes",
                        environment.started.toString().substring(0, 10),
                        environment.availableProcessors,
                        environment.flinkVersion,
                        environment.git.commit == null
                                ? "unknown"
                                : environment.git.commit.substring(0, 10),
                        Boolean.TRUE.equals(environment.git.dirty) ? " (with local changes)" : ""),
                "fill",
                "#57606a");
        legend(svg, runs, legendPlaces);
        uploads(svg, results, uploadTop);
        restores(svg, results, restoreTop);
        return svg.finish();
    }

    static String colour(Backend backend) {
        return COLOURS[backend.ordinal() % COLOURS.length];
    }

    /** Where each legend entry goes (x, baseline y), wrapping onto a new row at the right edge. */
    private static List<double[]> legendPlaces(List<String> labels) {
        List<double[]> places = new ArrayList<>();
        double x = LEFT;
        double y = LEGEND_TOP + 12;
        for (String label : labels) {
            // About 6.8 px per character of a 12 px sans-serif font.
            double width = 19 + 6.8 * label.length() + 24;
            if (x > LEFT && x + width > RIGHT) {
                x = LEFT;
                y += LEGEND_ROW;
            }
            places.add(new double[] {x, y});
            x += width;
        }
        return places;
    }

    private static void legend(
            SvgWriter svg, Collection<CheckpointRun> runs, List<double[]> places) {
        svg.group("class", "legend");
        int i = 0;
        for (CheckpointRun run : runs) {
            double[] place = places.get(i++);
            svg.rect(
                    place[0],
                    place[1] - 11,
                    14,
                    14,
                    run.backend.label(),
                    "fill",
                    colour(run.backend));
            svg.text(place[0] + 19, place[1], run.backend.label());
        }
        double[] place = places.get(i);
        svg.line(
                place[0],
                place[1] - 4,
                place[0] + 14,
                place[1] - 4,
                "stroke",
                "#24292f",
                "stroke-dasharray",
                "4 3");
        svg.text(place[0] + 19, place[1], CHANGED);
        svg.end();
    }

    // ---------------------------------------------------------------- upload per checkpoint

    private static void uploads(SvgWriter svg, ComparisonResults results, int top) {
        Collection<CheckpointRun> runs = results.runs().values();
        int bottom = top + UPLOAD_HEIGHT;
        int checkpoints = runs.stream().mapToInt(r -> r.uploaded().size()).max().orElse(0);
        double changed = results.changedBytesPerCheckpoint();
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> r.uploaded().forEach(b -> values.add(b.doubleValue())));
        values.add(changed);
        LogScale scale = LogScale.covering(values, top, bottom);

        svg.group("class", "uploads");
        svg.text(
                LEFT,
                top - 16,
                "Bytes uploaded per checkpoint (S3 bytes sent, log scale), after the initial"
                        + " checkpoint",
                "font-weight",
                "bold");
        for (double tick : scale.ticks()) {
            double y = scale.y(tick);
            svg.line(LEFT, y, RIGHT, y, "stroke", "#d0d7de");
            svg.text(LEFT - 6, y + 4, megabytes(tick), "text-anchor", "end");
        }
        svg.line(LEFT, bottom, RIGHT, bottom, "stroke", "#57606a");
        double slot = (double) (RIGHT - LEFT) / Math.max(1, checkpoints);
        int every = Math.max(1, (checkpoints + 19) / 20);
        for (int i = 0; i < checkpoints; i++) {
            if (i % every == 0 || i == checkpoints - 1) {
                svg.text(x(i, slot), bottom + 16, Integer.toString(i + 1), "text-anchor", "middle");
            }
        }
        svg.text((LEFT + RIGHT) / 2.0, bottom + 34, "checkpoint", "text-anchor", "middle");
        svg.line(
                LEFT,
                scale.y(changed),
                RIGHT,
                scale.y(changed),
                "class",
                "changed",
                "stroke",
                "#24292f",
                "stroke-dasharray",
                "4 3");
        for (CheckpointRun run : runs) {
            List<Long> uploaded = run.uploaded();
            List<double[]> points = new ArrayList<>();
            for (int i = 0; i < uploaded.size(); i++) {
                points.add(new double[] {x(i, slot), scale.y(uploaded.get(i))});
            }
            String colour = colour(run.backend);
            svg.group("class", "series", "data-backend", run.backend.id());
            svg.polyline(points, "stroke", colour, "stroke-width", "2");
            for (int i = 0; i < points.size(); i++) {
                svg.circle(
                        points.get(i)[0],
                        points.get(i)[1],
                        3,
                        String.format(
                                Locale.ROOT,
                                "%s, checkpoint %d: %s",
                                run.backend.label(),
                                i + 1,
                                Stats.mb(uploaded.get(i))),
                        "fill",
                        colour,
                        "data-bytes",
                        Long.toString(uploaded.get(i)));
            }
            svg.end();
        }
        svg.end();
    }

    private static double x(int index, double slot) {
        return LEFT + (index + 0.5) * slot;
    }

    // ---------------------------------------------------------------- restore

    private static void restores(SvgWriter svg, ComparisonResults results, int top) {
        Collection<CheckpointRun> runs = results.runs().values();
        double max = 0;
        for (CheckpointRun run : runs) {
            max = Math.max(max, Stats.max(run.restoreSeconds));
            max = Math.max(max, Stats.max(run.caughtUpSeconds));
        }
        LinearScale scale = LinearScale.covering(max, LABELS, RIGHT - 50);
        int bottom = top + 30 + runs.size() * ROW;
        svg.group("class", "restores");
        svg.text(
                LEFT,
                top - 26,
                String.format(
                        Locale.ROOT,
                        "Restore of the last checkpoint: median of %d restores, whiskers min to max",
                        results.options().restores),
                "font-weight",
                "bold");
        svg.text(
                LEFT,
                top - 9,
                String.format(
                        Locale.ROOT,
                        "solid: submit \u2192 every subtask running with its state;  light: submit"
                                + " \u2192 the first %,d records processed",
                        results.options().restoreRecords),
                "fill",
                "#57606a");
        for (double tick : scale.ticks()) {
            double x = scale.x(tick);
            svg.line(x, top, x, bottom, "stroke", "#d0d7de");
            svg.text(x, bottom + 16, seconds(tick), "text-anchor", "middle");
        }
        svg.line(LABELS, top, LABELS, bottom, "stroke", "#57606a");
        int row = 0;
        for (CheckpointRun run : runs) {
            double y = top + 10 + row * ROW;
            String colour = colour(run.backend);
            svg.group("class", "restore", "data-backend", run.backend.id());
            svg.text(LABELS - 8, y + 17, run.backend.label(), "text-anchor", "end");
            bar(svg, scale, y, run.restoreSeconds, "running", colour, "1");
            bar(svg, scale, y + 14, run.caughtUpSeconds, "records processed", colour, "0.45");
            svg.end();
            row++;
        }
        svg.text((LABELS + RIGHT) / 2.0, bottom + 34, "seconds", "text-anchor", "middle");
        svg.end();
    }

    private static void bar(
            SvgWriter svg,
            LinearScale scale,
            double y,
            List<Double> seconds,
            String what,
            String colour,
            String opacity) {
        double median = Stats.median(seconds);
        if (!Double.isFinite(median)) {
            return;
        }
        svg.rect(
                LABELS,
                y,
                scale.x(median) - LABELS,
                12,
                String.format(Locale.ROOT, "%s: median %s", what, Stats.seconds(median)),
                "fill",
                colour,
                "fill-opacity",
                opacity,
                "data-seconds",
                String.format(Locale.ROOT, "%.3f", median));
        double low = scale.x(Stats.min(seconds));
        double high = scale.x(Stats.max(seconds));
        svg.line(low, y + 6, high, y + 6, "stroke", "#24292f");
        svg.line(low, y + 2, low, y + 10, "stroke", "#24292f");
        svg.line(high, y + 2, high, y + 10, "stroke", "#24292f");
        svg.text(
                Math.max(high, scale.x(median)) + 5,
                y + 10,
                Stats.seconds(median),
                "fill",
                "#24292f");
    }

    // ---------------------------------------------------------------- axes

    private static String megabytes(double bytes) {
        return plain(bytes / 1e6) + " MB";
    }

    private static String seconds(double seconds) {
        return plain(seconds) + " s";
    }

    /** A tick value without float noise or trailing zeros: 0.05, 2, 1000. */
    private static String plain(double value) {
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** Powers of ten from below the smallest positive value to above the largest. */
    private record LogScale(double low, double high, int top, int bottom) {

        static LogScale covering(List<Double> values, int top, int bottom) {
            double min = values.stream().filter(v -> v > 0).min(Double::compare).orElse(1.0);
            double max = values.stream().filter(v -> v > 0).max(Double::compare).orElse(10.0);
            double low = Math.floor(Math.log10(min));
            double high = Math.ceil(Math.log10(max));
            return new LogScale(low, high > low ? high : low + 1, top, bottom);
        }

        /** Values of zero or less sit on the axis. */
        double y(double value) {
            double exponent = value > 0 ? Math.max(low, Math.log10(value)) : low;
            return bottom - (exponent - low) / (high - low) * (bottom - top);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            for (double e = low; e <= high; e++) {
                ticks.add(Math.pow(10, e));
            }
            return ticks;
        }
    }

    /** From zero to a round number above the largest value, with 1, 2 or 5 x 10^n steps. */
    private record LinearScale(double step, double max, int left, int right) {

        static LinearScale covering(double largest, int left, int right) {
            double target = largest > 0 && Double.isFinite(largest) ? largest : 1;
            double magnitude = Math.pow(10, Math.floor(Math.log10(target / 5)));
            double step = magnitude;
            for (double factor : new double[] {1, 2, 5, 10}) {
                step = factor * magnitude;
                if (target / step <= 6) {
                    break;
                }
            }
            return new LinearScale(step, Math.ceil(target / step) * step, left, right);
        }

        double x(double value) {
            return left + value / max * (right - left);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            for (int i = 0; i * step <= max + step / 1000; i++) {
                ticks.add(i * step);
            }
            return ticks;
        }
    }
}
