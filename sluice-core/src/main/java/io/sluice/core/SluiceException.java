package io.sluice.core;

/**
 * Root of the small exception family that tells a caller what to do next.
 *
 * <ul>
 *   <li>{@link InvalidInputException}: the input is wrong; report it (4xx), never retry.
 *   <li>{@link TransientException}: something outside us failed for now; retry with backoff.
 *   <li>{@link CorruptDataException}: stored data failed a check; recover (truncate, rebuild).
 * </ul>
 *
 * Our own bugs are {@link IllegalStateException}s, not part of this family.
 */
public abstract sealed class SluiceException extends RuntimeException
    permits InvalidInputException, TransientException, CorruptDataException {

  private static final long serialVersionUID = 1L;

  protected SluiceException(String message, Throwable cause) {
    super(message, cause);
  }
}
