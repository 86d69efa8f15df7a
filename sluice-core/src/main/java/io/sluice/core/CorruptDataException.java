package io.sluice.core;

/**
 * Stored data failed a check (a CRC, a length, an offset out of sequence). Names the file and the
 * byte position so that recovery can truncate there and an operator can look.
 */
public non-sealed class CorruptDataException extends SluiceException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final long position;

  public CorruptDataException(String file, long position, String reason) {
    super(file + " at byte " + position + ": " + reason, null);
    this.file = file;
    this.position = position;
  }

  public String file() {
    return file;
  }

  public long position() {
    return position;
  }
}
