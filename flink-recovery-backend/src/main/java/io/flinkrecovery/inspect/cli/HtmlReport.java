package io.flinkrecovery.inspect.cli;

import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.JobReport;
import io.flinkrecovery.inspect.RestorePlan;

import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link JobReport} as one self-contained HTML page: inline CSS and SVG, no script, no
 * font, nothing fetched from the network. Every number a chart shows is also in a table cell or a
 * {@code data-*} attribute, exactly, so that a test (or a person) can read it back.
 */
final class HtmlReport {

    /** Chain depth colours, light to dark; depths past the last use the last. */
    private static final String[] DEPTH_COLOURS = {
        "#e0f3db", "#ccebc5", "#a8ddb5", "#7bccc4", "#4eb3d3", "#2b8cbe", "#0868ac", "#084081"
    };

    private static final String NEW_COLOUR = "#d95f02";
    private static final String REUSED_COLOUR = "#9ecae1";

    private static final String STYLE =
            String.join(
                    "\n",
                    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}",
                    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:14px;margin:16px 0 6px}",
                    ".muted{color:#666}.job{font-family:ui-monospace,monospace;word-break:break-all}",
                    "table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}",
                    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}",
                    ".valid{color:#1a7f37;font-weight:600}.invalid{color:#cf222e;font-weight:600}",
                    "#findings ul{margin:4px 0;padding-left:20px}#findings li.error{color:#cf222e}#findings li.note{color:#6e5500}",
                    "p.ok{color:#1a7f37;font-weight:600}",
                    "svg{display:block;margin:6px 0}svg text{font:11px system-ui,sans-serif;fill:#333}",
                    ".legend span{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 12px;border-radius:2px}",
                    "tr.slowest td{background:#fff1e5;font-weight:600}",
                    ".strip-label{font-family:ui-monospace,monospace}");

    private HtmlReport() {}

    static String render(JobReport report, String version) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Checkpoints of ")
                .append(escape(report.jobDirectory()))
                .append("</title>\n<style>\n")
                .append(STYLE)
                .append("\n</style>\n</head>\n<body>\n");
        header(html, report);
        findings(html, report);
        history(html, report);
        keyGroups(html, report);
        plans(html, report);
        space(html, report);
        html.append("<footer class=\"muted\"><p>")
                .append(escape(version))
                .append(". Sizes are Flink's: a checkpoint's <em>state</em> is its full size, its")
                .append(" <em>new</em> bytes what it uploaded itself (Flink's checkpointed data")
                .append(" size), <em>reused</em> what it references from earlier uploads.</p>")
                .append("</footer>\n</body>\n</html>\n");
        return html.toString();
    }

    private static void header(StringBuilder html, JobReport report) {
        html.append("<header>\n<h1>Checkpoint history</h1>\n<p class=\"job\">")
                .append(escape(report.jobDirectory()))
                .append("</p>\n<p class=\"muted\" id=\"summary\">")
                .append(report.checkpoints().size())
                .append(" retained checkpoint(s)");
        report.newest()
                .ifPresent(
                        c -> {
                            html.append(", newest chk-").append(c.id());
                            html.append(" (").append(escape(c.backend().label()));
                            c.writtenBy()
                                    .ifPresent(w -> html.append(", written by ").append(escape(w)));
                            html.append(")");
                        });
        if (report.incompleteCheckpoints() > 0) {
            html.append(", ")
                    .append(report.incompleteCheckpoints())
                    .append(" incomplete checkpoint directory(ies)");
        }
        html.append(". Generated ")
                .append(escape(report.generatedAt().toString()))
                .append(".</p>\n</header>\n");
    }

    private static void findings(StringBuilder html, JobReport report) {
        html.append("<section id=\"findings\">\n<h2>Findings</h2>\n");
        List<JobReport.Checkpoint> checkpoints = report.checkpoints();
        long invalid = checkpoints.stream().filter(c -> !c.validation().isValid()).count();
        JobReport.Space space = report.space();
        if (checkpoints.isEmpty()) {
            html.append(
                    "<p class=\"invalid\">No retained checkpoint: nothing to restore from.</p>\n");
        } else if (invalid == 0) {
            html.append("<p class=\"ok\">All ")
                    .append(checkpoints.size())
                    .append(" retained checkpoints pass the fast check: every object they")
                    .append(
                            " reference exists with its size, and key groups are covered once.</p>\n");
        } else {
            html.append("<p class=\"invalid\">")
                    .append(invalid)
                    .append(" of ")
                    .append(checkpoints.size())
                    .append(" retained checkpoints will not restore.</p>\n");
        }
        StringBuilder items = new StringBuilder();
        for (JobReport.Checkpoint c : checkpoints) {
            for (Finding f : c.validation().findings()) {
                items.append("<li class=\"")
                        .append(f.kind().isError() ? "error" : "note")
                        .append("\">chk-")
                        .append(c.id())
                        .append(": ")
                        .append(escape(f.toString()))
                        .append("</li>\n");
            }
        }
        if (space.orphanedObjects() > 0) {
            items.append("<li class=\"note\">")
                    .append(space.orphanedObjects())
                    .append(" object(s), ")
                    .append(bytes(space.orphanedBytes()))
                    .append(", are referenced by no retained checkpoint: <code>")
                    .append("flink-recovery-inspect orphans ")
                    .append(escape(report.jobDirectory()))
                    .append(" --delete</code> removes them.</li>\n");
        }
        if (items.length() > 0) {
            html.append("<ul>\n").append(items).append("</ul>\n");
        }
        html.append("</section>\n");
    }

    private static void history(StringBuilder html, JobReport report) {
        List<JobReport.Checkpoint> checkpoints = report.checkpoints();
        if (checkpoints.isEmpty()) {
            return;
        }
        html.append("<section id=\"history\">\n<h2>Bytes per checkpoint</h2>\n");
        long max = checkpoints.stream().mapToLong(JobReport.Checkpoint::stateBytes).max().orElse(0);
        int chartHeight = 180;
        int slot = Math.max(14, Math.min(60, 1000 / checkpoints.size()));
        int barWidth = Math.max(8, slot * 2 / 3);
        int left = 70;
        int width = left + slot * checkpoints.size() + 10;
        html.append("<svg id=\"history-chart\" class=\"chart\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(chartHeight + 40)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(chartHeight + 40)
                .append("\" role=\"img\" aria-label=\"new and reused bytes per checkpoint\">\n");
        html.append("<line x1=\"")
                .append(left)
                .append("\" y1=\"")
                .append(chartHeight + 10)
                .append("\" x2=\"")
                .append(width)
                .append("\" y2=\"")
                .append(chartHeight + 10)
                .append("\" stroke=\"#999\"/>\n");
        html.append("<text x=\"")
                .append(left - 6)
                .append("\" y=\"16\" text-anchor=\"end\">")
                .append(bytes(max))
                .append("</text>\n<text x=\"")
                .append(left - 6)
                .append("\" y=\"")
                .append(chartHeight + 10)
                .append("\" text-anchor=\"end\">0</text>\n");
        for (int i = 0; i < checkpoints.size(); i++) {
            JobReport.Checkpoint c = checkpoints.get(i);
            double newHeight = scale(c.newBytes(), max, chartHeight);
            double reusedHeight = scale(c.reusedBytes(), max, chartHeight);
            int x = left + i * slot + (slot - barWidth) / 2;
            double base = chartHeight + 10;
            html.append("<g class=\"checkpoint-bars\" data-id=\"").append(c.id()).append("\">");
            bar(html, "bar new", x, base - newHeight, barWidth, newHeight, NEW_COLOUR, c.newBytes())
                    .append("<title>chk-")
                    .append(c.id())
                    .append(": ")
                    .append(bytes(c.newBytes()))
                    .append(" new</title></rect>");
            bar(
                            html,
                            "bar reused",
                            x,
                            base - newHeight - reusedHeight,
                            barWidth,
                            reusedHeight,
                            REUSED_COLOUR,
                            c.reusedBytes())
                    .append("<title>chk-")
                    .append(c.id())
                    .append(": ")
                    .append(bytes(c.reusedBytes()))
                    .append(" reused</title></rect>");
            if (!c.validation().isValid()) {
                html.append("<text x=\"")
                        .append(x + barWidth / 2)
                        .append("\" y=\"")
                        .append(fmt(base - newHeight - reusedHeight - 4))
                        .append("\" text-anchor=\"middle\" fill=\"#cf222e\">✗</text>");
            }
            if (checkpoints.size() <= 40 || i % Math.max(1, checkpoints.size() / 20) == 0) {
                html.append("<text x=\"")
                        .append(x + barWidth / 2)
                        .append("\" y=\"")
                        .append(chartHeight + 26)
                        .append("\" text-anchor=\"middle\">")
                        .append(c.id())
                        .append("</text>");
            }
            html.append("</g>\n");
        }
        html.append("</svg>\n<p class=\"legend\"><span style=\"background:")
                .append(NEW_COLOUR)
                .append("\"></span>new (uploaded by the checkpoint)<span style=\"background:")
                .append(REUSED_COLOUR)
                .append("\"></span>reused from earlier checkpoints</p>\n");
        html.append("<table id=\"checkpoints\">\n<thead><tr><th>checkpoint</th><th>backend</th>")
                .append("<th>fast check</th><th class=\"num\">state</th><th class=\"num\">new</th>")
                .append("<th class=\"num\">reused</th><th class=\"num\">objects</th>")
                .append(
                        "<th class=\"num\">_metadata</th><th>completed</th></tr></thead>\n<tbody>\n");
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            JobReport.Checkpoint c = checkpoints.get(i);
            boolean valid = c.validation().isValid();
            html.append("<tr class=\"checkpoint\" data-id=\"")
                    .append(c.id())
                    .append("\" data-valid=\"")
                    .append(valid)
                    .append("\"><td title=\"")
                    .append(escape(c.pointer()))
                    .append("\">chk-")
                    .append(c.id())
                    .append("</td><td>")
                    .append(escape(c.backend().label()))
                    .append("</td><td class=\"")
                    .append(valid ? "valid\">valid" : "invalid\">INVALID")
                    .append("</td>");
            numberCell(html, "state", c.stateBytes(), bytes(c.stateBytes()));
            numberCell(html, "new", c.newBytes(), bytes(c.newBytes()));
            numberCell(html, "reused", c.reusedBytes(), bytes(c.reusedBytes()));
            numberCell(html, "objects", c.objects(), Integer.toString(c.objects()));
            numberCell(html, "metadata", c.metadataBytes(), bytes(c.metadataBytes()));
            html.append("<td>").append(escape(c.completed().toString())).append("</td></tr>\n");
        }
        html.append("</tbody>\n</table>\n</section>\n");
    }

    private static void keyGroups(StringBuilder html, JobReport report) {
        if (report.keyGroups().isEmpty()) {
            return;
        }
        JobReport.Checkpoint newest = report.newest().orElseThrow();
        boolean anyDepths = report.keyGroups().stream().anyMatch(k -> k.chainDepths().isPresent());
        html.append("<section id=\"key-groups\">\n<h2>Key groups of chk-")
                .append(newest.id())
                .append("</h2>\n<p class=\"muted\">One cell per key group, one row per subtask.")
                .append(
                        anyDepths
                                ? " Colour: the length of the key group's chain (base plus"
                                        + " deltas) that a restore reads; bar: its bytes."
                                : " Bar: the key group's bytes.")
                .append("</p>\n");
        String operator = null;
        long maxBytes = 0;
        int maxDepth = 1;
        for (JobReport.KeyGroups k : report.keyGroups()) {
            for (long b : k.bytes()) {
                maxBytes = Math.max(maxBytes, b);
            }
            for (int d : k.chainDepths().orElse(new int[0])) {
                maxDepth = Math.max(maxDepth, d);
            }
        }
        int cell = 7;
        int rowHeight = anyDepths ? 34 : 22;
        List<JobReport.KeyGroups> all = report.keyGroups();
        for (int start = 0; start < all.size(); ) {
            operator = all.get(start).operator();
            int end = start;
            int widest = 0;
            while (end < all.size() && all.get(end).operator().equals(operator)) {
                widest = Math.max(widest, all.get(end).bytes().length);
                end++;
            }
            int left = 90;
            int width = left + widest * cell + 10;
            int height = (end - start) * rowHeight + 6;
            html.append("<h3>Operator ").append(escape(operator)).append("</h3>\n");
            html.append("<svg class=\"heat\" data-operator=\"")
                    .append(escape(operator))
                    .append("\" width=\"")
                    .append(width)
                    .append("\" height=\"")
                    .append(height)
                    .append("\" viewBox=\"0 0 ")
                    .append(width)
                    .append(' ')
                    .append(height)
                    .append("\">\n");
            for (int row = start; row < end; row++) {
                JobReport.KeyGroups k = all.get(row);
                int y = (row - start) * rowHeight + 3;
                long[] bytes = k.bytes();
                int[] depths = k.chainDepths().orElse(null);
                html.append("<g class=\"subtask-strip\" data-subtask=\"")
                        .append(k.subtask())
                        .append("\"><text class=\"strip-label\" x=\"0\" y=\"")
                        .append(y + 12)
                        .append("\">subtask ")
                        .append(k.subtask())
                        .append("</text>");
                for (int i = 0; i < bytes.length; i++) {
                    int x = left + i * cell;
                    int keyGroup = k.firstKeyGroup() + i;
                    String title =
                            "key group "
                                    + keyGroup
                                    + ": "
                                    + bytes(bytes[i])
                                    + (depths == null ? "" : ", chain depth " + depths[i]);
                    if (depths != null) {
                        html.append("<rect class=\"kg depth\" x=\"")
                                .append(x)
                                .append("\" y=\"")
                                .append(y)
                                .append("\" width=\"")
                                .append(cell - 1)
                                .append("\" height=\"12\" fill=\"")
                                .append(depthColour(depths[i], maxDepth))
                                .append("\" data-key-group=\"")
                                .append(keyGroup)
                                .append("\" data-depth=\"")
                                .append(depths[i])
                                .append("\"><title>")
                                .append(title)
                                .append("</title></rect>");
                    }
                    double h = Math.max(bytes[i] > 0 ? 1 : 0, scale(bytes[i], maxBytes, 16));
                    int barTop = y + (depths == null ? 0 : 14);
                    html.append("<rect class=\"kg bytes\" x=\"")
                            .append(x)
                            .append("\" y=\"")
                            .append(fmt(barTop + 16 - h))
                            .append("\" width=\"")
                            .append(cell - 1)
                            .append("\" height=\"")
                            .append(fmt(h))
                            .append("\" fill=\"#6a51a3\" data-key-group=\"")
                            .append(keyGroup)
                            .append("\" data-bytes=\"")
                            .append(bytes[i])
                            .append("\"><title>")
                            .append(title)
                            .append("</title></rect>");
                }
                html.append("</g>\n");
            }
            html.append("</svg>\n");
            start = end;
        }
        if (anyDepths) {
            html.append("<p class=\"legend\">chain depth:");
            int step = (maxDepth + DEPTH_COLOURS.length - 1) / DEPTH_COLOURS.length;
            for (int d = 1;
                    d <= maxDepth;
                    d = d == maxDepth ? d + 1 : Math.min(maxDepth, d + step)) {
                html.append("<span style=\"background:")
                        .append(depthColour(d, maxDepth))
                        .append("\"></span>")
                        .append(d);
            }
            html.append("</p>\n");
        }
        html.append("</section>\n");
    }

    private static void plans(StringBuilder html, JobReport report) {
        if (report.plans().isEmpty()) {
            return;
        }
        html.append("<section id=\"restore\">\n<h2>Restore plan of chk-")
                .append(report.newest().orElseThrow().id())
                .append("</h2>\n<p class=\"muted\">What each keyed subtask downloads; the restore")
                .append(" waits on the one that downloads the most.</p>\n");
        boolean first = true;
        for (RestorePlan plan : report.plans()) {
            int slowest = ReportOutput.slowest(plan);
            long max = slowest < 0 ? 0 : plan.subtasks().get(slowest).bytes();
            html.append("<div class=\"plan\" data-parallelism=\"")
                    .append(plan.parallelism())
                    .append("\">\n<h3>Parallelism ")
                    .append(plan.parallelism())
                    .append(first ? " (as checkpointed)" : " (chosen)")
                    .append("</h3>\n");
            int rowHeight = 18;
            int left = 200;
            int barMax = 600;
            int height = plan.subtasks().size() * rowHeight + 4;
            html.append("<svg class=\"plan-chart\" width=\"")
                    .append(left + barMax + 120)
                    .append("\" height=\"")
                    .append(height)
                    .append("\">\n");
            for (int i = 0; i < plan.subtasks().size(); i++) {
                RestorePlan.Subtask s = plan.subtasks().get(i);
                int y = i * rowHeight + 2;
                double w = Math.max(s.bytes() > 0 ? 1 : 0, scale(s.bytes(), max, barMax));
                html.append("<text x=\"0\" y=\"")
                        .append(y + 12)
                        .append("\">")
                        .append(escape(shorten(s.operator(), 22)))
                        .append(" #")
                        .append(s.subtask())
                        .append("</text>");
                bar(
                                html,
                                i == slowest ? "plan-bar slowest" : "plan-bar",
                                left,
                                y,
                                w,
                                rowHeight - 4,
                                i == slowest ? NEW_COLOUR : "#3182bd",
                                s.bytes())
                        .append("<title>")
                        .append(bytes(s.bytes()))
                        .append(", ")
                        .append(s.gets())
                        .append(" GETs</title></rect>");
                html.append("<text x=\"")
                        .append(fmt(left + w + 6))
                        .append("\" y=\"")
                        .append(y + 12)
                        .append("\">")
                        .append(bytes(s.bytes()))
                        .append(i == slowest ? " · slowest" : "")
                        .append("</text>\n");
            }
            html.append("</svg>\n<table class=\"plan-table\">\n<thead><tr><th>operator</th>")
                    .append("<th class=\"num\">subtask</th><th>key groups</th>")
                    .append("<th class=\"num\">bytes</th><th class=\"num\">GETs</th>")
                    .append("<th class=\"num\">max chain depth</th></tr></thead>\n<tbody>\n");
            for (int i = 0; i < plan.subtasks().size(); i++) {
                RestorePlan.Subtask s = plan.subtasks().get(i);
                html.append("<tr class=\"subtask")
                        .append(i == slowest ? " slowest" : "")
                        .append("\" data-subtask=\"")
                        .append(s.subtask())
                        .append("\"><td>")
                        .append(escape(s.operator()))
                        .append("</td><td class=\"num\">")
                        .append(s.subtask())
                        .append("</td><td>")
                        .append(CheckpointOutput.keyGroups(s))
                        .append("</td>");
                numberCell(html, "bytes", s.bytes(), bytes(s.bytes()));
                numberCell(html, "gets", s.gets(), Integer.toString(s.gets()));
                html.append("<td class=\"num\">")
                        .append(s.maxChainDepth() == 0 ? "–" : Integer.toString(s.maxChainDepth()))
                        .append("</td></tr>\n");
            }
            html.append("</tbody>\n</table>\n</div>\n");
            first = false;
        }
        html.append("</section>\n");
    }

    private static void space(StringBuilder html, JobReport report) {
        JobReport.Space space = report.space();
        html.append("<section id=\"space\">\n<h2>Space under the job directory</h2>\n");
        long total = space.storedBytes();
        int barMax = 800;
        html.append("<svg id=\"space-chart\" width=\"")
                .append(barMax + 2)
                .append("\" height=\"26\">\n");
        double x = 0;
        String[][] parts = {
            {"live", "#31a354", Long.toString(space.liveBytes())},
            {"orphaned", "#de2d26", Long.toString(space.orphanedBytes())},
            {"young", "#fdae6b", Long.toString(space.youngUnreferencedBytes())}
        };
        for (String[] part : parts) {
            long value = Long.parseLong(part[2]);
            double w = scale(value, total, barMax);
            if (w > 0) {
                bar(html, "space " + part[0], x, 2, w, 22, part[1], value)
                        .append("<title>")
                        .append(part[0])
                        .append(": ")
                        .append(bytes(value))
                        .append("</title></rect>\n");
            }
            x += w;
        }
        html.append("</svg>\n<table id=\"space-table\">\n<tbody>\n");
        spaceRow(html, "stored", "everything under the job directory", space.storedBytes());
        spaceRow(html, "live", "referenced by a retained checkpoint", space.liveBytes());
        spaceRow(
                html,
                "orphaned",
                "referenced by none, older than the grace period",
                space.orphanedBytes());
        spaceRow(
                html,
                "young",
                "referenced by none yet, younger than the grace period (in progress)",
                space.youngUnreferencedBytes());
        html.append("<tr data-name=\"amplification\"><td>space amplification</td><td>stored")
                .append(" bytes per byte of the newest checkpoint's state</td><td class=\"num\"")
                .append(" data-value=\"")
                .append(String.format(Locale.ROOT, "%.2f", report.spaceAmplification()))
                .append("\">")
                .append(String.format(Locale.ROOT, "%.2f×", report.spaceAmplification()))
                .append("</td></tr>\n</tbody>\n</table>\n</section>\n");
    }

    private static void spaceRow(StringBuilder html, String name, String meaning, long value) {
        html.append("<tr data-name=\"")
                .append(name)
                .append("\"><td>")
                .append(name)
                .append("</td><td>")
                .append(meaning)
                .append("</td>");
        numberCell(html, "bytes", value, bytes(value));
        html.append("</tr>\n");
    }

    private static StringBuilder bar(
            StringBuilder html,
            String cssClass,
            double x,
            double y,
            double width,
            double height,
            String fill,
            long value) {
        return html.append("<rect class=\"")
                .append(cssClass)
                .append("\" x=\"")
                .append(fmt(x))
                .append("\" y=\"")
                .append(fmt(y))
                .append("\" width=\"")
                .append(fmt(width))
                .append("\" height=\"")
                .append(fmt(height))
                .append("\" fill=\"")
                .append(fill)
                .append("\" data-bytes=\"")
                .append(value)
                .append("\">");
    }

    private static void numberCell(StringBuilder html, String name, long exact, String shown) {
        html.append("<td class=\"num\" data-name=\"")
                .append(name)
                .append("\" data-value=\"")
                .append(exact)
                .append("\" title=\"")
                .append(exact)
                .append("\">")
                .append(escape(shown))
                .append("</td>");
    }

    private static String depthColour(int depth, int maxDepth) {
        // Spread the depths that occur over the whole scale, so that 1 and 2 differ at a glance.
        int steps = DEPTH_COLOURS.length - 1;
        int index =
                maxDepth <= 1
                        ? 0
                        : (int)
                                Math.round(
                                        (double) (Math.max(1, depth) - 1) * steps / (maxDepth - 1));
        return DEPTH_COLOURS[Math.min(steps, index)];
    }

    private static double scale(long value, long max, int pixels) {
        return max <= 0 ? 0 : (double) value * pixels / max;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : "%.1f %s", value, units[unit]);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<':
                    out.append("&lt;");
                    break;
                case '>':
                    out.append("&gt;");
                    break;
                case '&':
                    out.append("&amp;");
                    break;
                case '"':
                    out.append("&quot;");
                    break;
                case '\'':
                    out.append("&#39;");
                    break;
                default:
                    out.append(c);
            }
        }
        return out.toString();
    }
}
