package io.flinkrecovery.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of an S3 server that injects the faults of a network and of an
 * overloaded S3 into the requests it forwards, as set at runtime by {@link #update}: a 503 SlowDown
 * answered in the server's stead, a connection reset (TCP RST) before the request reaches the
 * server, a request swallowed so that the client's read times out, added latency, and an
 * unreachable server whose every connection is reset.
 *
 * <p>A request is recognized as the first bytes a client sends on a connection, or after the server
 * answered, that start with an HTTP method; the body a client sends after {@code 100 Continue} is
 * not one. A failed request never reaches the server, so the client's retry is the only attempt the
 * server sees. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {

    public static final String REQUESTS = "requests";
    public static final String SLOW_DOWNS = "slow-downs";
    public static final String RESETS = "resets";
    public static final String TIMEOUTS = "timeouts";
    public static final String REFUSED = "refused";

    /** The counters {@link #counts} returns, in its order. */
    public static final List<String> COUNTERS =
            List.of(REQUESTS, SLOW_DOWNS, RESETS, TIMEOUTS, REFUSED);

    private static final List<String> METHODS =
            List.of("GET ", "PUT ", "POST ", "HEAD ", "DELETE ");
    private static final int BUFFER_SIZE = 64 * 1024;

    /** How long a 503 waits for the client to close after reading it. */
    private static final int DRAIN_TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final ExecutorService threads;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> counters = new LinkedHashMap<>();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private volatile NetworkFaults faults = NetworkFaults.NONE;

    /** Guarded by itself. */
    private final Random random = new Random();

    private volatile boolean closed;

    private FaultProxy(ServerSocket server, int upstreamPort) {
        this.server = server;
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
        this.threads =
                Executors.newCachedThreadPool(
                        task -> {
                            Thread thread = new Thread(task, "fault-proxy");
                            thread.setDaemon(true);
                            return thread;
                        });
        COUNTERS.forEach(name -> counters.put(name, new AtomicLong()));
    }

    /**
     * Starts a proxy on {@code port} of 127.0.0.1 (0 picks a free one) that forwards to {@code
     * upstreamPort} of 127.0.0.1, with no faults.
     */
    public static FaultProxy start(int port, int upstreamPort) {
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen on 127.0.0.1:" + port + " for the S3 fault proxy", e);
        }
        FaultProxy proxy = new FaultProxy(server, upstreamPort);
        proxy.threads.execute(proxy::acceptLoop);
        return proxy;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Such as {@code http://127.0.0.1:43121}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public NetworkFaults faults() {
        return faults;
    }

    /**
     * Injects {@code faults} from now on. Turning {@code unreachable} on also resets every open
     * connection, so that no request in flight completes.
     */
    public void update(NetworkFaults faults) {
        this.faults = Objects.requireNonNull(faults, "faults");
        if (faults.unreachable()) {
            connections.forEach(Connection::reset);
        }
    }

    /** Seeds the choice of which requests fail, for a reproducible sequence of faults. */
    public void seed(long seed) {
        synchronized (random) {
            random.setSeed(seed);
        }
    }

    /** The requests seen and the faults injected since the start, in the order of COUNTERS. */
    public Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counters.forEach((name, value) -> counts.put(name, value.get()));
        return counts;
    }

    /** Stops accepting and resets every open connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        connections.forEach(Connection::reset);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            if (faults.unreachable()) {
                count(REFUSED);
                reset(client);
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(upstream, 10_000);
                Connection connection = new Connection(client, target);
                connections.add(connection);
                threads.execute(connection::forwardRequests);
                threads.execute(connection::forwardResponses);
            } catch (IOException | RuntimeException e) {
                reset(client);
            }
        }
    }

    private enum Fate {
        PASS,
        REFUSE,
        SLOW_DOWN,
        RESET,
        TIMEOUT
    }

    private Fate decide() {
        NetworkFaults current = faults;
        if (current.unreachable()) {
            return Fate.REFUSE;
        }
        if (current.slowDownRate() + current.resetRate() + current.timeoutRate() == 0) {
            return Fate.PASS;
        }
        double draw;
        synchronized (random) {
            draw = random.nextDouble();
        }
        if (draw < current.slowDownRate()) {
            return Fate.SLOW_DOWN;
        }
        draw -= current.slowDownRate();
        if (draw < current.resetRate()) {
            return Fate.RESET;
        }
        draw -= current.resetRate();
        return draw < current.timeoutRate() ? Fate.TIMEOUT : Fate.PASS;
    }

    private void count(String counter) {
        counters.get(counter).incrementAndGet();
    }

    private static boolean startsRequest(byte[] buffer, int length) {
        String start = new String(buffer, 0, Math.min(length, 8), StandardCharsets.ISO_8859_1);
        return METHODS.stream().anyMatch(start::startsWith);
    }

    private static byte[] slowDownResponse(int id) {
        String body =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate. (injected by the fault"
                        + " proxy)</Message><RequestId>fault-proxy-"
                        + id
                        + "</RequestId></Error>";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String head =
                "HTTP/1.1 503 Slow Down\r\n"
                        + "Content-Type: application/xml\r\n"
                        + "Content-Length: "
                        + bodyBytes.length
                        + "\r\nConnection: close\r\nx-amz-request-id: fault-proxy-"
                        + id
                        + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] response = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, response, headBytes.length, bodyBytes.length);
        return response;
    }

    /** Closes with SO_LINGER 0, which sends RST: the peer sees "Connection reset". */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closed already
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing left to do
        }
    }

    /** One client connection and its connection to the server. */
    private final class Connection {
        private final int id = connectionIds.incrementAndGet();
        private final Socket client;
        private final Socket target;

        /** Whether the next bytes from the client may start a request. */
        private final AtomicBoolean turn = new AtomicBoolean(true);

        /** Set once the client's request is swallowed: the server must not answer it. */
        private volatile boolean swallowed;

        Connection(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void forwardRequests() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = client.getInputStream();
                OutputStream out = target.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (turn.getAndSet(false) && startsRequest(buffer, read)) {
                        count(REQUESTS);
                        Fate fate = decide();
                        if (fate != Fate.PASS) {
                            fail(fate);
                            return;
                        }
                        long latency = faults.latency().toMillis();
                        if (latency > 0) {
                            Thread.sleep(latency);
                        }
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
                close();
            } catch (IOException e) {
                close();
            } catch (InterruptedException e) {
                reset();
            }
        }

        void forwardResponses() {
            byte[] buffer = new byte[BUFFER_SIZE];
            // Closing a socket's stream closes the socket: a swallowed request's client must stay.
            try {
                InputStream in = target.getInputStream();
                OutputStream out = client.getOutputStream();
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    // Before the client can have read the answer and sent its next request.
                    turn.set(true);
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // the connection is gone; forwardRequests or reset closes both ends
            }
            if (!swallowed) {
                close();
            }
        }

        private void fail(Fate fate) throws IOException {
            switch (fate) {
                case REFUSE:
                    count(REFUSED);
                    reset();
                    break;
                case RESET:
                    count(RESETS);
                    reset();
                    break;
                case SLOW_DOWN:
                    count(SLOW_DOWNS);
                    answerSlowDown();
                    break;
                case TIMEOUT:
                    count(TIMEOUTS);
                    swallow();
                    break;
                default:
                    throw new IllegalStateException("Not a fault: " + fate);
            }
        }

        /**
         * Answers 503 SlowDown with {@code Connection: close}, then reads until the client closes.
         */
        private void answerSlowDown() throws IOException {
            swallowed = true;
            closeQuietly(target);
            OutputStream out = client.getOutputStream();
            out.write(slowDownResponse(id));
            out.flush();
            client.shutdownOutput();
            client.setSoTimeout(DRAIN_TIMEOUT_MILLIS);
            drainClient();
        }

        /** Forwards nothing more either way, until the client gives up and closes. */
        private void swallow() {
            swallowed = true;
            closeQuietly(target);
            drainClient();
        }

        private void drainClient() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = client.getInputStream();
                while (in.read(buffer) >= 0) {
                    // discard
                }
            } catch (IOException e) {
                // the client closed or the drain timed out
            }
            close();
        }

        void reset() {
            FaultProxy.reset(client);
            closeQuietly(target);
            connections.remove(this);
        }

        void close() {
            closeQuietly(client);
            closeQuietly(target);
            connections.remove(this);
        }
    }
}
