package io.sluice.core;

/** Something outside our control failed for now (disk full, target down); retry with backoff. */
public non-sealed class TransientException extends SluiceException {

  private static final long serialVersionUID = 1L;

  public TransientException(String message, Throwable cause) {
    super(message, cause);
  }

  public TransientException(String message) {
    super(message, null);
  }
}
