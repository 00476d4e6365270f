package io.flinkrecovery.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, mean and extremes of measured values, and their formatting. */
final class Stats {

    private Stats() {}

    static double median(List<? extends Number> values) {
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(v.doubleValue()));
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double mean(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).average().orElse(Double.NaN);
    }

    static double max(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).max().orElse(Double.NaN);
    }

    static double min(List<? extends Number> values) {
        return values.stream().mapToDouble(Number::doubleValue).min().orElse(Double.NaN);
    }

    /** Bytes in MB (10^6 bytes). */
    static String mb(double bytes) {
        return String.format("%.2f MB", bytes / 1e6);
    }

    static String ratio(double ratio) {
        return String.format("%.2fx", ratio);
    }

    static String millis(double millis) {
        return String.format("%.0f ms", millis);
    }

    static String seconds(double seconds) {
        return String.format("%.2f s", seconds);
    }

    static String rate(double perSecond) {
        return String.format("%,.0f/s", perSecond);
    }

    static String verdict(boolean met) {
        return met ? "MET" : "MISSED";
    }
}
