package io.patchpulse.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secrets named by reference, so they stay off command lines and out of settings files: {@code env:NAME} reads an
 * environment variable, {@code file:PATH} the first line of a file. A literal is refused.
 */
public final class Secrets {

    private Secrets() {
    }

    /**
     * The secret {@code reference} names.
     *
     * @param what what the secret is for, for the error message (e.g. {@code collector.tls.keystore.password})
     * @throws IllegalArgumentException saying what is wrong with the reference (never the secret)
     */
    public static char[] resolve(String reference, String what) {
        return resolve(reference, what, System::getenv);
    }

    static char[] resolve(String reference, String what, java.util.function.Function<String, String> environment) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException(what + " is required: env:NAME (an environment variable) or"
                    + " file:PATH (a file whose first line is the secret)");
        }
        String value;
        if (reference.startsWith("env:")) {
            String name = reference.substring(4);
            value = environment.apply(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(what + ": environment variable " + name + " is not set");
            }
        } else if (reference.startsWith("file:")) {
            Path file = Path.of(reference.substring(5));
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                value = (end < 0 ? text : text.substring(0, end)).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(what + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                        + ")");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException(what + ": " + file + " is empty");
            }
        } else {
            throw new IllegalArgumentException(what + " must be env:NAME or file:PATH; a secret written in the"
                    + " settings or on the command line is refused");
        }
        return value.toCharArray();
    }
}
