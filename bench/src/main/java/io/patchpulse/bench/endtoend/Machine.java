package io.patchpulse.bench.endtoend;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine and JVM a run was made on.
 *
 * @param cores        processors available to the JVM
 * @param memoryBytes  physical memory
 * @param os           name, version and architecture
 * @param cpuModel     "model name" from /proc/cpuinfo, or "unknown"
 * @param java         java.version and VM, as the JVM reports them
 * @param maxHeapBytes the heap limit (-Xmx) every component shares
 * @param jvmArguments the JVM's input arguments
 */
record Machine(int cores, long memoryBytes, String os, String cpuModel, String java, long maxHeapBytes,
        List<String> jvmArguments) {

    static Machine current() {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Machine(Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                readCpuModel(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + " "
                        + System.getProperty("java.vm.version") + ", " + System.getProperty("java.vendor") + ")",
                Runtime.getRuntime().maxMemory(), ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
