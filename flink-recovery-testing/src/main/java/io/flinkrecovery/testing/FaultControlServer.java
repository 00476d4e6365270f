package io.flinkrecovery.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint on 127.0.0.1 through which a test sets the faults of a {@link FaultProxy} in
 * another process: {@code GET /faults} answers the settings and counters, {@code POST
 * /faults?reset=0.05&latency-ms=500} changes the named settings ({@link NetworkFaults#KEYS}),
 * {@code clear=true} first sets everything back to no faults, and {@code seed=N} seeds the choice
 * of failing requests. Every answer is {@code key=value} lines; a bad request gets 400 and one line
 * that names the key and value. {@link FaultControl} is its client.
 */
public final class FaultControlServer implements AutoCloseable {

    public static final String PATH = "/faults";
    public static final String CLEAR = "clear";
    public static final String SEED = "seed";

    private final HttpServer server;
    private final ExecutorService executor;
    private final FaultProxy proxy;

    private FaultControlServer(HttpServer server, ExecutorService executor, FaultProxy proxy) {
        this.server = server;
        this.executor = executor;
        this.proxy = proxy;
    }

    /** Serves the control of {@code proxy} on {@code port} of 127.0.0.1 (0 picks a free one). */
    public static FaultControlServer start(int port, FaultProxy proxy) {
        HttpServer server;
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen on 127.0.0.1:" + port + " for the S3 fault control", e);
        }
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        task -> {
                            Thread thread = new Thread(task, "fault-control");
                            thread.setDaemon(true);
                            return thread;
                        });
        FaultControlServer control = new FaultControlServer(server, executor, proxy);
        server.createContext(PATH, control::handle);
        server.setExecutor(executor);
        server.start();
        return control;
    }

    /** Such as {@code http://127.0.0.1:43122/faults}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                respond(exchange, 404, "No such path: " + exchange.getRequestURI().getPath());
                return;
            }
            if (method.equals("POST")) {
                try {
                    apply(parseQuery(exchange.getRequestURI().getRawQuery()));
                } catch (IllegalArgumentException e) {
                    respond(exchange, 400, e.getMessage());
                    return;
                }
            } else if (!method.equals("GET")) {
                respond(exchange, 405, "Method not allowed: " + method + " (GET or POST)");
                return;
            }
            respond(exchange, 200, state());
        }
    }

    /** Applies all changes or, if any is bad, none. */
    private synchronized void apply(Map<String, String> changes) {
        Map<String, String> settings = new LinkedHashMap<>(changes);
        String clear = settings.remove(CLEAR);
        String seed = settings.remove(SEED);
        if (clear != null && !clear.equals("true") && !clear.equals("false")) {
            throw new IllegalArgumentException(
                    "Invalid " + CLEAR + ": " + clear + " (must be true or false)");
        }
        Long seedValue = null;
        if (seed != null) {
            try {
                seedValue = Long.parseLong(seed);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "Invalid " + SEED + ": " + seed + " (must be a long)", e);
            }
        }
        NetworkFaults base = "true".equals(clear) ? NetworkFaults.NONE : proxy.faults();
        NetworkFaults updated = base.with(settings);
        if (seedValue != null) {
            proxy.seed(seedValue);
        }
        proxy.update(updated);
    }

    private String state() {
        StringBuilder text = new StringBuilder();
        proxy.faults().toMap().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        proxy.counts().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("Missing value of " + decode(pair));
            }
            parameters.put(decode(pair.substring(0, equals)), decode(pair.substring(equals + 1)));
        }
        return parameters;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
