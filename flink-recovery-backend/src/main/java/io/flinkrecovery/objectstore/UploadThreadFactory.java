package io.flinkrecovery.objectstore;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads for uploads that outlive the job that started them. Each carries this plugin's
 * classloader as context classloader, never the job's: Flink closes a job's user-code classloader
 * when the job ends, and a later upload on a thread still holding it fails with "Trying to access
 * closed classloader".
 */
public final class UploadThreadFactory implements ThreadFactory {

    private static final ClassLoader PLUGIN_CLASS_LOADER =
            UploadThreadFactory.class.getClassLoader();

    private final String namePrefix;
    private final AtomicInteger count = new AtomicInteger();

    /**
     * @param namePrefix thread names are this followed by a number
     */
    public UploadThreadFactory(String namePrefix) {
        this.namePrefix = namePrefix;
    }

    @Override
    public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, namePrefix + count.incrementAndGet());
        thread.setDaemon(true);
        thread.setContextClassLoader(PLUGIN_CLASS_LOADER);
        return thread;
    }
}
