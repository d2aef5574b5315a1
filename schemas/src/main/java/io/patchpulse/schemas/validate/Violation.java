package io.patchpulse.schemas.validate;

/**
 * A rule a record breaks: the field at fault (a dotted path such as {@code inventory.recovery.freeBytes}) and a
 * sentence for a person saying what was wrong.
 */
public record Violation(String field, String detail) {

    @Override
    public String toString() {
        return field + ": " + detail;
    }
}
