package io.flinkrecovery.testing;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.gaul.s3proxy.S3Proxy;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records the requests an {@link EmbeddedS3Server} receives, with every header, while recording is
 * on; off by default, so a long-running server keeps nothing. Thread-safe.
 *
 * <p>S3Proxy has no public hook at the HTTP level (its blob store SPI sees parsed requests, not
 * headers), so the recorder is a servlet {@link Filter} added in front of S3Proxy's servlet, in the
 * Jetty context S3Proxy builds. Reaching that context takes reflection on S3Proxy's internals; if a
 * new S3Proxy version moves them, the server still starts and only {@link #start()} fails.
 */
public final class RequestRecorder {

    /** S3Proxy's Jetty is shaded into its jar. */
    private static final String SERVLET_CONTEXT_CLASS =
            "org.gaul.shaded.org.eclipse.jetty.ee10.servlet.ServletContextHandler";

    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    private volatile boolean recording;

    /** Why the filter could not be installed, or null if it was. */
    private volatile RuntimeException installFailure;

    RequestRecorder() {}

    /** Adds the recording filter to {@code proxy}; call before the proxy starts. */
    void installInto(S3Proxy proxy) {
        try {
            Field serverField = S3Proxy.class.getDeclaredField("server");
            serverField.setAccessible(true);
            Object jettyServer = serverField.get(proxy);
            Class<?> contextClass =
                    Class.forName(SERVLET_CONTEXT_CLASS, false, S3Proxy.class.getClassLoader());
            Method getDescendant = jettyServer.getClass().getMethod("getDescendant", Class.class);
            Object context = getDescendant.invoke(jettyServer, contextClass);
            if (context == null) {
                throw new IllegalStateException("S3Proxy's Jetty server has no servlet context");
            }
            Method addFilter =
                    contextClass.getMethod("addFilter", Filter.class, String.class, EnumSet.class);
            addFilter.invoke(
                    context, new RecordingFilter(), "/*", EnumSet.of(DispatcherType.REQUEST));
        } catch (ReflectiveOperationException | RuntimeException e) {
            installFailure =
                    new IllegalStateException(
                            "Cannot record requests: this S3Proxy version does not let the"
                                    + " recording filter into its Jetty servlet context",
                            e);
        }
    }

    /** Forgets what was recorded and records every request from now on. */
    public void start() {
        RuntimeException failure = installFailure;
        if (failure != null) {
            throw failure;
        }
        requests.clear();
        recording = true;
    }

    /** Stops recording; what was recorded stays. */
    public void stop() {
        recording = false;
    }

    /** Stops recording and forgets what was recorded. */
    public void reset() {
        recording = false;
        requests.clear();
    }

    /** The requests recorded since {@link #start()}, in the order they completed. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The requests recorded since {@link #start()}, counted by kind. */
    public RequestCounts counts() {
        return RequestCounts.of(requests);
    }

    /** Records each request once S3Proxy has answered it, with the status it answered. */
    private final class RecordingFilter implements Filter {

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (!recording || !(request instanceof HttpServletRequest)) {
                chain.doFilter(request, response);
                return;
            }
            HttpServletRequest http = (HttpServletRequest) request;
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String name : Collections.list(http.getHeaderNames())) {
                headers.put(name, Collections.list(http.getHeaders(name)));
            }
            try {
                chain.doFilter(request, response);
            } finally {
                requests.add(
                        new RecordedRequest(
                                http.getMethod(),
                                http.getRequestURI(),
                                http.getQueryString(),
                                http.isSecure(),
                                headers,
                                ((HttpServletResponse) response).getStatus()));
            }
        }
    }
}
