package io.sluice.log;

import io.sluice.core.TransientException;

/**
 * The partition's write queue holds more unwritten bytes than allowed: the disk cannot keep up.
 * Retry after a short pause (HTTP: 503 with Retry-After). Memory stays bounded.
 */
public class LogOverloadedException extends TransientException {

  private static final long serialVersionUID = 1L;

  public LogOverloadedException(String message) {
    super(message);
  }
}
