package io.flinkrecovery.objectstore.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of the embedded S3 server that can cut connections in the
 * middle of a response, the way a flaky network does. Bytes pass through unchanged, so SigV4
 * signatures stay valid.
 */
final class ConnectionCuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newCachedThreadPool(daemon());

    /** How many more responses to cut. */
    private final AtomicInteger cutsLeft = new AtomicInteger();

    /** Cut a response after this many of its bytes have passed. */
    private final AtomicLong cutAfterBytes = new AtomicLong();

    private final AtomicInteger cutsDone = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    ConnectionCuttingProxy(String targetEndpoint) throws IOException {
        URI uri = URI.create(targetEndpoint);
        this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Cuts the next {@code count} responses after {@code afterBytes} bytes of each. */
    void cutNextResponses(int count, long afterBytes) {
        cutAfterBytes.set(afterBytes);
        cutsLeft.set(count);
    }

    int cutsDone() {
        return cutsDone.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                threads.execute(() -> pump(client, upstream, false));
                threads.execute(() -> pump(upstream, client, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean response) {
        byte[] buffer = new byte[8192];
        long passed = 0;
        boolean cutting = false;
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (response && !cutting && passed == 0) {
                    cutting = cutsLeft.getAndUpdate(c -> Math.max(0, c - 1)) > 0;
                }
                if (cutting && passed + n > cutAfterBytes.get()) {
                    int allowed = (int) Math.max(0, cutAfterBytes.get() - passed);
                    out.write(buffer, 0, allowed);
                    out.flush();
                    cutsDone.incrementAndGet();
                    to.setSoLinger(true, 0); // RST instead of a clean FIN
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
                passed += n;
            }
        } catch (IOException ignored) {
            // the other side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "connection-cutting-proxy");
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops accepting and kills every open connection, as if the endpoint went away. */
    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(ConnectionCuttingProxy::closeQuietly);
        threads.shutdownNow();
    }
}
