package io.patchpulse.collector.identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files holding a secret (the device-id key, the demo's ingest token): created once, owner-only from the start, and
 * appearing whole and atomically, so two processes starting on one data directory end up reading the same secret.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Writes {@code content} to {@code file} unless the file exists already (then it is left as it is).
     *
     * @throws IOException when the file cannot be written
     */
    public static void createOnce(Path file, String content) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp", ownerOnly());
        try {
            Files.write(temp, content.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.SYNC);
            // A hard link appears atomically and fails if the name exists: the first writer wins.
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException lostRace) {
            // the other process's secret is in place
        } catch (UnsupportedOperationException | IOException noLinks) {
            if (!Files.exists(file)) {
                Files.move(temp, file);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Owner-only permissions on POSIX file systems; elsewhere the directory's ACL applies. */
    private static FileAttribute<?>[] ownerOnly() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }
}
