package io.patchpulse.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it was not told to trust, and that includes our own generated enums and
 * records (even a builder filling in an enum default). This adds the generated package to Avro's trusted set, once,
 * on top of whatever else is trusted. The serdes and {@link CanonicalJson} call it; entry points call it first thing.
 */
public final class AvroTrust {

    /** The package of the generated PatchPulse classes. */
    public static final String GENERATED_PACKAGE = "io.patchpulse.schemas.avro";

    private static boolean installed;

    private AvroTrust() {
    }

    /** Trusts the generated package. Idempotent and thread-safe. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> GENERATED_PACKAGE.equals(type.getPackageName())));
        installed = true;
    }
}
