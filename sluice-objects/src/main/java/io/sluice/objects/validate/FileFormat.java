package io.sluice.objects.validate;

import java.util.Locale;

/** The formats a {@code validate} target reads; outputs keep the input's format. */
public enum FileFormat {
  /** Comma-separated values with a header row (RFC 4180 quoting). */
  CSV(new CsvFormat()),
  /** One JSON object per line. */
  NDJSON(new NdjsonFormat()),
  /** One JSON array of objects, read element by element. */
  JSON(new JsonFormat());

  private final FormatReader reader;

  FileFormat(FormatReader reader) {
    this.reader = reader;
  }

  /** The name in config and manifests: {@code csv}, {@code ndjson}, {@code json}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  FormatReader reader() {
    return reader;
  }

  /** The format named {@code word}, or null. */
  public static FileFormat of(String word) {
    for (FileFormat f : values()) {
      if (f.word().equals(word)) {
        return f;
      }
    }
    return null;
  }
}
