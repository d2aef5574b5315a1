package io.patchpulse.sink.dashboard;

import io.patchpulse.schemas.avro.Release;
import io.patchpulse.schemas.values.KbId;
import java.time.LocalDate;
import java.util.Objects;

/**
 * A release date the timeline marks: a KB and the UTC day it shipped.
 *
 * @param kb canonical KB id ({@code KB5034441})
 * @param releasedOn release day (UTC)
 * @param title what the mark's tooltip says; the KB id when there is nothing better
 */
public record ReleaseMark(String kb, LocalDate releasedOn, String title) {

    public ReleaseMark {
        if (!KbId.isCanonical(kb)) {
            throw new IllegalArgumentException("a release mark needs a canonical KB id (KB and 6 or 7 digits), was "
                    + kb);
        }
        Objects.requireNonNull(releasedOn, "releasedOn");
        title = title == null || title.isBlank() ? kb : title;
    }

    /** The mark of a catalog entry ({@code deploy/catalog/releases.yaml}, read by the collector's ReleaseCatalog). */
    public static ReleaseMark of(Release release) {
        return new ReleaseMark(release.getKb(), release.getReleasedOn(), release.getTitle());
    }
}
