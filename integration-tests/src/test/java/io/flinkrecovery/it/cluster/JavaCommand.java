package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines of Java processes, started with the JVM that runs the tests. */
final class JavaCommand {

    private JavaCommand() {}

    /** {@code java <jvmArgs> -classpath <classPath> <mainClass> <args>}. */
    static List<String> of(
            List<String> jvmArgs, String classPath, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-classpath");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * A port on 127.0.0.1 that is free now. Another process may take it before it is used, which on
     * a test machine is rare enough.
     */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on 127.0.0.1", e);
        }
    }
}
