package io.flinkrecovery.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table: a title, a header row, and rows; the first column left-aligned. */
final class Table {

    private final String title;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title, String... header) {
        this.title = title;
        rows.add(header);
    }

    Table row(Object... cells) {
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    Table note(String format, Object... args) {
        notes.add(String.format(format, args));
        return this;
    }

    void print(PrintStream out) {
        int columns = 0;
        for (String[] row : rows) {
            columns = Math.max(columns, row.length);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        out.println();
        out.println(title);
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                String format = i == 0 ? "%-" + widths[i] + "s" : "%" + widths[i] + "s";
                line.append(String.format(format, row[i]));
                if (i + 1 < row.length) {
                    line.append(" | ");
                }
            }
            out.println(line.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder("  ");
                for (int i = 0; i < columns; i++) {
                    rule.append("-".repeat(widths[i]));
                    if (i + 1 < columns) {
                        rule.append("-+-");
                    }
                }
                out.println(rule);
            }
        }
        for (String note : notes) {
            out.println("  " + note);
        }
    }
}
