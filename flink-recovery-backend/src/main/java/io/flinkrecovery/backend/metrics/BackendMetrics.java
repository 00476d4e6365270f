package io.flinkrecovery.backend.metrics;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import io.flinkrecovery.objectstore.RequestMetrics;

import java.util.function.ToLongFunction;

/**
 * The figures of one keyed backend's newest checkpoint and of its restore, as Flink gauges under
 * the operator's metric group: {@code flinkrecovery.checkpoint.*} and {@code
 * flinkrecovery.restore.*} (the README lists them). Thread-safe: asynchronous snapshot threads
 * record, the metric reporters read.
 */
public final class BackendMetrics {

    public static final String CHECKPOINT_GROUP = "checkpoint";
    public static final String RESTORE_GROUP = "restore";

    private volatile SnapshotFigures checkpoint = SnapshotFigures.NONE;
    private volatile RestoreFigures restore = RestoreFigures.NONE;

    /** From the first manifest read until every restored record is in the heap; -1 until then. */
    private volatile long restoreAppliedMillis = -1;

    /** Records a checkpoint whose upload finished; an older one finishing late is ignored. */
    public synchronized void checkpointed(SnapshotFigures figures) {
        if (figures.checkpointId() > checkpoint.checkpointId()) {
            checkpoint = figures;
        }
    }

    /** Records the restore; if it deferred nothing, everything was applied by its end. */
    public void restored(RestoreFigures figures) {
        restore = figures;
        if (figures.deferredKeyGroups() == 0) {
            restoreAppliedMillis = figures.durationMillis();
        }
    }

    /** Records when the last key group that the restore deferred was applied. */
    public void restoreApplied(long millisSinceRestoreStart) {
        restoreAppliedMillis = millisSinceRestoreStart;
    }

    /**
     * Milliseconds from the first manifest read until every restored record was in the heap; -1
     * while deferred key groups wait, or before a restore.
     */
    public long restoreAppliedMillis() {
        return restore.checkpointId() < 0 ? -1 : restoreAppliedMillis;
    }

    /** The newest checkpoint whose upload finished; id -1 before the first. */
    public SnapshotFigures checkpoint() {
        return checkpoint;
    }

    /** The restore this backend was built with; id -1 if it was not restored from ours. */
    public RestoreFigures restore() {
        return restore;
    }

    public void register(MetricGroup operator) {
        MetricGroup ours = operator.addGroup(RequestMetrics.GROUP);
        MetricGroup checkpoints = ours.addGroup(CHECKPOINT_GROUP);
        checkpointGauge(checkpoints, "checkpointId", SnapshotFigures::checkpointId);
        checkpointGauge(checkpoints, "uploadedBytes", SnapshotFigures::uploadedBytes);
        checkpointGauge(checkpoints, "segmentBytes", SnapshotFigures::segmentBytes);
        checkpointGauge(checkpoints, "manifestBytes", SnapshotFigures::manifestBytes);
        checkpointGauge(checkpoints, "reusedBytes", SnapshotFigures::reusedBytes);
        checkpointGauge(checkpoints, "chainBytes", SnapshotFigures::chainBytes);
        checkpointGauge(checkpoints, "keyGroups", SnapshotFigures::keyGroups);
        checkpointGauge(checkpoints, "chainDepthMax", SnapshotFigures::maxChainDepth);
        checkpoints.gauge("chainDepthMean", (Gauge<Double>) () -> checkpoint.meanChainDepth());
        checkpointGauge(checkpoints, "compactedBytes", SnapshotFigures::compactedBytes);
        checkpointGauge(checkpoints, "compactedKeyGroups", SnapshotFigures::compactedKeyGroups);

        MetricGroup restores = ours.addGroup(RESTORE_GROUP);
        restoreGauge(restores, "checkpointId", RestoreFigures::checkpointId);
        restoreGauge(restores, "durationMs", RestoreFigures::durationMillis);
        restoreGauge(restores, "readBytes", RestoreFigures::readBytes);
        restoreGauge(restores, "blockBytes", RestoreFigures::blockBytes);
        restoreGauge(restores, "fromLocalCopy", r -> r.fromLocalCopy() ? 1 : 0);
        restoreGauge(restores, "deferredKeyGroups", RestoreFigures::deferredKeyGroups);
        restores.gauge("appliedMs", (Gauge<Long>) this::restoreAppliedMillis);
    }

    private void checkpointGauge(
            MetricGroup group, String name, ToLongFunction<SnapshotFigures> figure) {
        group.gauge(name, (Gauge<Long>) () -> figure.applyAsLong(checkpoint));
    }

    private void restoreGauge(
            MetricGroup group, String name, ToLongFunction<RestoreFigures> figure) {
        group.gauge(name, (Gauge<Long>) () -> figure.applyAsLong(restore));
    }
}
