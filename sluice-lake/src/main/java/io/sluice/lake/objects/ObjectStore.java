package io.sluice.lake.objects;

import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Buckets of objects under one directory: {@code <root>/<bucket>/data/<key>} holds the bytes and
 * {@code <root>/<bucket>/meta/<key>.json} the size, SHA-256 and time. A write streams to a temp
 * file while hashing, fsyncs, and renames into place, so a reader sees the old object or the new,
 * never a part. Keys are checked before any path is built: no {@code ..} or {@code .} segment, no
 * empty segment, no absolute key, no backslash, no control character, no percent-encoded dot, slash
 * or backslash (a second decoding somewhere must not make a traversal), at most 1024 bytes; and the
 * resolved path must still be inside the bucket.
 */
public final class ObjectStore {

  /** One object's facts. */
  public record ObjectInfo(
      String bucket, String key, long size, String sha256, Instant lastModified) {

    /** {@code {"bucket":{"name"},"object":{"key","size","sha256"}}}: what events about it carry. */
    public com.fasterxml.jackson.databind.node.ObjectNode describe() {
      var d = Json.MAPPER.createObjectNode();
      d.putObject("bucket").put("name", bucket);
      d.putObject("object").put("key", key).put("size", size).put("sha256", sha256);
      return d;
    }

    /**
     * The detail of its {@code Object Created}/{@code Object Deleted} event, shaped like S3's
     * EventBridge notifications: {@link #describe()} plus {@code version}, {@code etag}, {@code
     * reason}.
     */
    public com.fasterxml.jackson.databind.node.ObjectNode eventDetail(String reason) {
      var d = Json.MAPPER.createObjectNode();
      d.put("version", "0");
      d.setAll(describe());
      ((com.fasterxml.jackson.databind.node.ObjectNode) d.get("object")).put("etag", sha256);
      d.put("reason", reason);
      return d;
    }
  }

  /** A page of a listing; {@code next} is null at the end. */
  public record Page(List<ObjectInfo> objects, String next) {}

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final Pattern ENCODED =
      Pattern.compile("%(2e|2f|5c|00)", Pattern.CASE_INSENSITIVE);

  private final Path root;
  private final long maxBytes;

  /** Writers and deleters of one key take its stripe, so data and facts change together. */
  private final Object[] stripes = new Object[64];

  private Object stripe(String bucket, String key) {
    return stripes[Math.floorMod((bucket + "/" + key).hashCode(), stripes.length)];
  }

  public ObjectStore(Path root, long maxBytes) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
    Files.createDirectories(this.root);
  }

  public long maxBytes() {
    return maxBytes;
  }

  static InvalidInputException bad(String path, String message, Object value) {
    return new InvalidInputException(
        InvalidInputException.INVALID_ARGUMENT, Problem.of(path, message, Problem.render(value)));
  }

  /** Checks a bucket name (S3's rules, without dots). */
  public static void checkBucket(String bucket) {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw bad(
          "/bucket",
          "expected a bucket name of 2-63 characters a-z 0-9 -, starting with a letter or digit, got "
              + Problem.render(bucket),
          bucket);
    }
  }

  /** Checks a key; the exception names what is wrong with it. */
  public static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw bad("/key", "expected an object key, got nothing", key);
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
      throw bad(
          "/key",
          "expected a key of at most 1024 bytes, got "
              + key.getBytes(StandardCharsets.UTF_8).length,
          key);
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw bad(
            "/key",
            "expected no control characters in a key, got U+"
                + String.format("%04X", (int) c)
                + " at "
                + i
                + " in "
                + Problem.render(key),
            key);
      }
      if (c == '\\') {
        throw bad("/key", "expected no backslash in a key, got " + Problem.render(key), key);
      }
    }
    if (key.startsWith("/")) {
      throw bad("/key", "expected a relative key, got the absolute " + Problem.render(key), key);
    }
    if (ENCODED.matcher(key).find()) {
      throw bad(
          "/key",
          "expected no percent-encoded dot, slash, backslash or NUL in a key, got "
              + Problem.render(key),
          key);
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty() && !key.endsWith("/")) {
        throw bad(
            "/key",
            "expected no empty path segment (//) in a key, got " + Problem.render(key),
            key);
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw bad("/key", "expected no . or .. segment in a key, got " + Problem.render(key), key);
      }
    }
    if (key.endsWith("/")) {
      throw bad("/key", "expected a key that does not end with /, got " + Problem.render(key), key);
    }
  }

  private Path bucketDir(String bucket) {
    checkBucket(bucket);
    return root.resolve(bucket);
  }

  private Path dataPath(String bucket, String key) {
    checkKey(key);
    Path data = bucketDir(bucket).resolve("data");
    Path p = data.resolve(key).normalize();
    if (!p.startsWith(data) || p.equals(data)) {
      throw bad("/key", "resolves outside its bucket: " + Problem.render(key), key);
    }
    return p;
  }

  private Path metaPath(String bucket, String key) {
    Path meta = bucketDir(bucket).resolve("meta");
    Path p = meta.resolve(key + ".json").normalize();
    if (!p.startsWith(meta)) {
      throw bad("/key", "resolves outside its bucket: " + Problem.render(key), key);
    }
    return p;
  }

  /**
   * Stores an object from a stream (at most {@link #maxBytes}), durably, replacing any object of
   * the same key.
   *
   * @throws InvalidInputException for a bad key or bucket, or a body over the limit (TOO_LARGE)
   */
  public ObjectInfo put(String bucket, String key, InputStream in) throws IOException {
    Path target = dataPath(bucket, key);
    Path tmpDir = bucketDir(bucket).resolve("tmp");
    Files.createDirectories(tmpDir);
    Path tmp = tmpDir.resolve(UUID.randomUUID() + ".part");
    MessageDigest sha = sha256();
    long size = 0;
    try {
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          size += n;
          if (size > maxBytes) {
            throw new InvalidInputException(
                InvalidInputException.TOO_LARGE,
                Problem.of(
                    "/body",
                    "the object is larger than the limit of "
                        + maxBytes
                        + " bytes (objects.maxObjectBytes)"));
          }
          sha.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      AtomicFiles.fsyncFile(tmp);
      try {
        Files.createDirectories(target.getParent());
      } catch (FileAlreadyExistsException e) {
        throw conflict(key, "a prefix of this key is already an object");
      }
      if (Files.isDirectory(target)) {
        throw conflict(key, "other objects already use this key as a prefix");
      }
      ObjectInfo info =
          new ObjectInfo(bucket, key, size, HexFormat.of().formatHex(sha.digest()), Instant.now());
      synchronized (stripe(bucket, key)) {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        AtomicFiles.fsyncDirectory(target.getParent());
        Path meta = metaPath(bucket, key);
        Files.createDirectories(meta.getParent());
        AtomicFiles.write(
            meta,
            Json.MAPPER.writeValueAsBytes(
                java.util.Map.of(
                    "size",
                    info.size(),
                    "sha256",
                    info.sha256(),
                    "lastModified",
                    info.lastModified().toString(),
                    "dataModifiedMs",
                    Files.getLastModifiedTime(target).toMillis())));
      }
      return info;
    } catch (NotDirectoryException e) {
      throw conflict(key, "a prefix of this key is already an object");
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static InvalidInputException conflict(String key, String why) {
    return new InvalidInputException(
        InvalidInputException.CONFLICT, Problem.of("/key", why + ": " + Problem.render(key)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The object's facts, or empty when it does not exist. */
  public Optional<ObjectInfo> head(String bucket, String key) throws IOException {
    Path p = dataPath(bucket, key);
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    Path meta = metaPath(bucket, key);
    if (Files.isRegularFile(meta)) {
      var m = Json.MAPPER.readTree(Files.readAllBytes(meta));
      // the facts belong to this data only if size and the data file's time agree (a crash
      // between replacing the data and its facts leaves old facts beside new data)
      if (m.get("size").asLong() == Files.size(p)
          && m.path("dataModifiedMs").asLong(-1) == Files.getLastModifiedTime(p).toMillis()) {
        return Optional.of(
            new ObjectInfo(
                bucket,
                key,
                m.get("size").asLong(),
                m.get("sha256").asText(),
                Instant.parse(m.get("lastModified").asText())));
      }
    }
    // written, but its facts were not (a crash in between): compute them again
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return Optional.of(
        new ObjectInfo(
            bucket,
            key,
            Files.size(p),
            HexFormat.of().formatHex(sha.digest()),
            Files.getLastModifiedTime(p).toInstant()));
  }

  /** The object's bytes (close the stream); empty when it does not exist. */
  public Optional<InputStream> open(String bucket, String key) throws IOException {
    Path p = dataPath(bucket, key);
    try {
      return Optional.of(Files.newInputStream(p));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Whether there was an object to delete. */
  public boolean delete(String bucket, String key) throws IOException {
    Path p = dataPath(bucket, key);
    if (!Files.isRegularFile(p)) {
      return false;
    }
    synchronized (stripe(bucket, key)) {
      Files.delete(p);
      Files.deleteIfExists(metaPath(bucket, key));
    }
    AtomicFiles.fsyncDirectory(p.getParent());
    Path data = bucketDir(bucket).resolve("data");
    for (Path d = p.getParent();
        d != null && !d.equals(data) && d.startsWith(data);
        d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (DirectoryNotEmptyException e) {
        break;
      }
    }
    return true;
  }

  /** Objects whose key starts with {@code prefix}, in key order, after {@code cursor}. */
  public Page list(String bucket, String prefix, String cursor, int limit) throws IOException {
    Path data = bucketDir(bucket).resolve("data");
    if (!Files.isDirectory(data)) {
      return new Page(List.of(), null);
    }
    List<String> keys;
    try (Stream<Path> s = Files.walk(data)) {
      keys =
          s.filter(Files::isRegularFile)
              .map(p -> data.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
              .filter(k -> prefix == null || k.startsWith(prefix))
              .filter(k -> cursor == null || k.compareTo(cursor) > 0)
              .sorted()
              .limit(limit + 1L)
              .toList();
    }
    List<ObjectInfo> out = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, keys.size()); i++) {
      head(bucket, keys.get(i)).ifPresent(out::add);
    }
    return new Page(out, keys.size() > limit ? keys.get(limit - 1) : null);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
