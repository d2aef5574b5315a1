package io.patchpulse.collector.parse;

import java.io.InputStream;

/**
 * Turns one input of one format (a file, a request body) into normalized records.
 *
 * <p>Contract, for every implementation: {@link #parse} never throws for anything in the input (bad bytes, bad
 * JSON, hostile XML, absurd numbers); every item it cannot use becomes a {@link Problem} naming the line and field;
 * it keeps going after a bad item whenever the format allows finding the next one. Only an I/O error of the stream
 * itself propagates. Implementations are stateless and thread-safe.
 */
public interface FormatParser {

    /** The format this parser reads. */
    InputFormat format();

    /** Parses all of {@code input} (which it does not close). */
    ParseResult parse(InputStream input, ParseContext context) throws java.io.IOException;
}
