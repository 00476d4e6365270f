package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A ZooKeeper 3.8 server in a process of its own ({@code ZooKeeperServerMain zoo.cfg}), on
 * 127.0.0.1 with the admin server off. Its data directory survives a kill, so a restarted server
 * keeps Flink's HA data.
 */
final class ZooKeeperProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** ZooKeeper's session timeouts are bounded by 2 and 20 ticks; Flink asks for seconds. */
    private static final int TICK_MILLIS = 500;

    private final Processes processes;
    private final Path dir;
    private final Path lib;
    private final int port;
    private ManagedProcess process;

    private ZooKeeperProcess(Processes processes, Path dir, Path lib, int port) {
        this.processes = processes;
        this.dir = dir;
        this.lib = lib;
        this.port = port;
    }

    /** Starts a server on a free port, with its config, data and log under {@code dir}. */
    static ZooKeeperProcess start(Processes processes, Path dir, Path lib) throws IOException {
        ZooKeeperProcess zooKeeper =
                new ZooKeeperProcess(processes, dir, lib, JavaCommand.freePort());
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(
                dir.resolve("zoo.cfg"),
                String.join(
                        "\n",
                        "tickTime=" + TICK_MILLIS,
                        "dataDir=" + dir.resolve("data").toAbsolutePath(),
                        "clientPort=" + zooKeeper.port,
                        "clientPortAddress=127.0.0.1",
                        "maxClientCnxns=0",
                        // It would take port 8080 otherwise.
                        "admin.enableServer=false",
                        "4lw.commands.whitelist=srvr",
                        ""));
        Resources.copy("zookeeper-log4j2.properties", dir.resolve("log4j2.properties"));
        zooKeeper.restart();
        return zooKeeper;
    }

    /** Starts the server again after {@link #kill()}, on the same port and data. */
    void restart() throws IOException {
        process =
                processes.start(
                        "zookeeper",
                        JavaCommand.of(
                                List.of(
                                        "-Xmx128m",
                                        "-Dlog4j2.configurationFile=log4j2.properties",
                                        "-Dlog.file=zookeeper.log"),
                                lib.toAbsolutePath() + "/*",
                                "org.apache.zookeeper.server.ZooKeeperServerMain",
                                List.of("zoo.cfg")),
                        dir,
                        dir.resolve("zookeeper.out"));
        await().alias("ZooKeeper serving on 127.0.0.1:" + port + ", see " + dir)
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException(
                                        "ZooKeeper exited: " + process.outputText());
                            }
                            return serving();
                        });
    }

    /** The {@code high-availability.zookeeper.quorum} of this server. */
    String quorum() {
        return "127.0.0.1:" + port;
    }

    ManagedProcess process() {
        return process;
    }

    /** SIGKILL; returns when the process is gone. */
    void kill() {
        process.kill();
    }

    /** Whether the server answers the {@code srvr} command as a running standalone server. */
    private boolean serving() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .contains("Mode: standalone");
        } catch (IOException e) {
            return false;
        }
    }
}
