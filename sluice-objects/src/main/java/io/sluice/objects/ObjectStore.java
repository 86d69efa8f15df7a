package io.sluice.objects;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Json;
import io.sluice.core.Problem;
import io.sluice.core.TransientException;
import io.sluice.log.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets of objects under one directory. Keys never become file names, so no file system limit or
 * rule (name length, a file where a directory must go) can refuse a valid key:
 *
 * <pre>
 * &lt;root&gt;/&lt;bucket&gt;/FORMAT                 "sluice-objects 2"
 * &lt;root&gt;/&lt;bucket&gt;/keys/&lt;h:2&gt;/&lt;h&gt;.json     one per key: key, size, sha256, lastModified, blob
 * &lt;root&gt;/&lt;bucket&gt;/blobs/&lt;h:2&gt;/&lt;h&gt;-&lt;id&gt;    the bytes of one version, never changed once written
 * &lt;root&gt;/&lt;bucket&gt;/tmp/                    uploads in progress
 * </pre>
 *
 * where {@code h} is the hex SHA-256 of the key's UTF-8 bytes. A write streams to {@code tmp/}
 * while hashing, fsyncs, renames the bytes to a new blob, then replaces the key's file atomically:
 * that replacement is the commit. Then its event ({@code Object Created}, {@code Object Deleted})
 * is stored, still under the key's lock, so each write has exactly one event and events of a key
 * come in the order of its writes; if the event cannot be stored the write is undone and refused
 * (503), so a write is all or nothing. The replaced blob is deleted after; a reader that opened it
 * keeps reading it (POSIX unlink), so a GET streams one whole version whose ETag is its SHA-256.
 * Keys are indexed in memory (read from {@code keys/} when a bucket is first used) for listing.
 *
 * <p>Keys are checked before anything touches the disk: no {@code ..} or {@code .} segment, no
 * empty segment, no absolute key, no trailing slash, no backslash, no control character, no
 * percent-encoded dot, slash or backslash (a second decoding elsewhere must not make a traversal:
 * outputs and the inbox map keys to paths), at most 1024 bytes. A key taken from a URI path goes
 * through {@link #decodeKey} first, which checks it as it came, before its one decoding.
 *
 * <p>A crash between a commit and its event leaves the object without its event (the write was not
 * answered, so a client retries it). Buckets of the earlier layout ({@code data/<key>} and {@code
 * meta/<key>.json}) are moved to this one when first used. Thread-safe.
 */
public final class ObjectStore {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectStore.class);

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

  /** A page of a listing; {@code next} (an opaque cursor) is null at the end. */
  public record Page(List<ObjectInfo> objects, String next) {}

  /** An object opened for reading: the facts of exactly the version the stream reads. */
  public record Opened(ObjectInfo info, InputStream in) {}

  static final String FORMAT = "sluice-objects 2";

  /** The format of a key file ({@code keys/<h:2>/<h>.json}); files without one are 1. */
  static final int KEY_FORMAT = 1;

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final Pattern ENCODED =
      Pattern.compile("%(2e|2f|5c|00)", Pattern.CASE_INSENSITIVE);

  /** A path segment that decodes to {@code .} or {@code ..}. */
  private static final Pattern DOT_SEGMENT =
      Pattern.compile("(\\.|%2e){1,2}", Pattern.CASE_INSENSITIVE);

  private final Path root;
  private final long maxBytes;
  private final ObjectEvents events;
  private final java.time.Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** Writers and deleters of one key take its stripe: commit and event together, in order. */
  private final ReentrantLock[] stripes = new ReentrantLock[256];

  /** One entry of a bucket's index: the facts and the blob holding the bytes. */
  private record Entry(ObjectInfo info, String blob) {}

  /** A bucket's directories and index; opened (and migrated) once, on first use. */
  private final class Bucket {
    final String name;
    final Path dir;
    final Path keys;
    final Path blobs;
    final Path tmp;
    final ConcurrentSkipListMap<String, Entry> index = new ConcurrentSkipListMap<>();

    Bucket(String name) {
      this.name = name;
      this.dir = root.resolve(name);
      this.keys = dir.resolve("keys");
      this.blobs = dir.resolve("blobs");
      this.tmp = dir.resolve("tmp");
    }
  }

  /**
   * @param events where {@code Object Created}/{@code Object Deleted} events go ({@link
   *     ObjectEvents#NONE} for none)
   * @param clock the node's clock: an object's last-modified time
   */
  public ObjectStore(Path root, long maxBytes, ObjectEvents events, java.time.Clock clock)
      throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.events = events;
    this.clock = clock;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
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
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > 1024) {
      throw bad("/key", "expected a key of at most 1024 bytes, got " + bytes, key);
    }
    if (io.sluice.core.Utf8.firstLoneSurrogate(key) >= 0) {
      throw bad("/key", "expected a key of valid Unicode text, got " + Problem.render(key), key);
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
    if (key.endsWith("/")) {
      throw bad("/key", "expected a key that does not end with /, got " + Problem.render(key), key);
    }
    for (String seg : key.split("/", -1)) {
      if (seg.isEmpty()) {
        throw bad(
            "/key",
            "expected no empty path segment (//) in a key, got " + Problem.render(key),
            key);
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw bad("/key", "expected no . or .. segment in a key, got " + Problem.render(key), key);
      }
    }
  }

  /**
   * The key of a URI path, given as it came ({@code encoded}: still percent-encoded), decoded once
   * and checked. Refused before decoding: a percent-encoded slash ({@code %2F}: the key would not
   * have the segments the path shows) or backslash ({@code %5C}), a segment that is {@code .} or
   * {@code ..} spelled with {@code %2E}, a percent-encoded control character, a {@code %} without
   * two hex digits, bytes that are not UTF-8; the decoded key must then pass {@link #checkKey}. A
   * {@code +} is a plus, not a space (path rules, not form rules).
   *
   * @throws InvalidInputException naming the key as it came and the problem
   */
  public static String decodeKey(String encoded) {
    if (encoded == null
        || encoded.indexOf('%') < 0
        || io.sluice.core.Utf8.firstLoneSurrogate(encoded) >= 0) {
      checkKey(encoded);
      return encoded;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(encoded.length());
    int run = 0; // start of the text since the last escape
    for (int i = 0; i < encoded.length(); i++) {
      if (encoded.charAt(i) != '%') {
        continue;
      }
      bytes.writeBytes(encoded.substring(run, i).getBytes(StandardCharsets.UTF_8));
      int v = i + 2 < encoded.length() ? hexByte(encoded.charAt(i + 1), encoded.charAt(i + 2)) : -1;
      if (v < 0) {
        String got = encoded.substring(i, Math.min(i + 3, encoded.length()));
        throw bad(
            "/key",
            "expected % and two hex digits in a key, got "
                + Problem.render(got)
                + " at "
                + i
                + " in "
                + Problem.render(encoded),
            encoded);
      }
      String escape = encoded.substring(i, i + 3);
      if (v == '/') {
        throw bad(
            "/key",
            "expected no percent-encoded slash ("
                + escape
                + ") in a key, got "
                + Problem.render(encoded),
            encoded);
      }
      if (v == '\\') {
        throw bad(
            "/key",
            "expected no percent-encoded backslash ("
                + escape
                + ") in a key, got "
                + Problem.render(encoded),
            encoded);
      }
      if (v < 0x20 || v == 0x7f) {
        throw bad(
            "/key",
            "expected no control characters in a key, got "
                + escape
                + " (U+"
                + String.format("%04X", v)
                + ") at "
                + i
                + " in "
                + Problem.render(encoded),
            encoded);
      }
      bytes.write(v);
      i += 2;
      run = i + 1;
    }
    bytes.writeBytes(encoded.substring(run).getBytes(StandardCharsets.UTF_8));
    String key;
    try {
      key =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
              .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw bad(
          "/key",
          "expected percent-encoded UTF-8 in a key, got " + Problem.render(encoded),
          encoded);
    }
    for (String seg : encoded.split("/", -1)) {
      if (seg.indexOf('%') >= 0 && DOT_SEGMENT.matcher(seg).matches()) {
        throw bad(
            "/key",
            "expected no percent-encoded . or .. segment in a key, got " + Problem.render(encoded),
            encoded);
      }
    }
    checkKey(key);
    return key;
  }

  /** The byte two ASCII hex digits spell, or -1. */
  private static int hexByte(char hi, char lo) {
    int h = hexDigit(hi);
    int l = hexDigit(lo);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  private ReentrantLock stripe(String bucket, String key) {
    return stripes[Math.floorMod((bucket + "/" + key).hashCode(), stripes.length)];
  }

  private static String hash(String key) {
    return HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path keyFile(Bucket b, String h) {
    return b.keys.resolve(h.substring(0, 2)).resolve(h + ".json");
  }

  private static Path blobFile(Bucket b, String blob) {
    return b.blobs.resolve(blob.substring(0, 2)).resolve(blob);
  }

  /** The bucket, opened on first use; null when it does not exist and {@code create} is false. */
  private Bucket bucket(String name, boolean create) throws IOException {
    checkBucket(name);
    Bucket b = buckets.get(name);
    if (b != null) {
      return b;
    }
    synchronized (buckets) {
      b = buckets.get(name);
      if (b != null) {
        return b;
      }
      Bucket fresh = new Bucket(name);
      if (!Files.isDirectory(fresh.dir)) {
        if (!create) {
          return null;
        }
        Files.createDirectories(fresh.dir);
        AtomicFiles.fsyncDirectory(root);
      }
      open(fresh);
      buckets.put(name, fresh);
      return fresh;
    }
  }

  /** Migrates an earlier layout, clears leftovers of a crash, loads the index. */
  private void open(Bucket b) throws IOException {
    Files.createDirectories(b.keys);
    Files.createDirectories(b.blobs);
    Files.createDirectories(b.tmp);
    Path format = b.dir.resolve("FORMAT");
    if (!Files.exists(format)) {
      migrate(b);
      AtomicFiles.write(format, (FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
    } else {
      String f = Files.readString(format).strip();
      if (!f.equals(FORMAT)) {
        throw new io.sluice.core.CorruptDataException(
            format.toString(),
            0,
            "bucket "
                + b.name
                + " has format "
                + Problem.render(f)
                + ", and this Sluice reads "
                + Problem.render(FORMAT)
                + ": it was written by another version of Sluice (run that one, or restore the"
                + " bucket from a backup)");
      }
    }
    try (Stream<Path> s = Files.list(b.tmp)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
    }
    Set<String> referenced = new HashSet<>();
    try (Stream<Path> s = Files.walk(b.keys)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String f = p.getFileName().toString();
        if (f.endsWith(".deleting")) {
          // a delete committed before a crash; its event may be lost
          Files.deleteIfExists(p);
          continue;
        }
        if (!f.endsWith(".json")) {
          Files.deleteIfExists(p); // a temp file of an unfinished write
          continue;
        }
        JsonNode m =
            io.sluice.core.StateFile.read(
                p,
                "the entry of an object in bucket " + b.name,
                KEY_FORMAT,
                "restore the bucket from a backup, or remove the file to forget that object (its"
                    + " bytes are then removed as unreferenced)");
        Entry e = entry(b.name, m, p);
        b.index.put(e.info().key(), e);
        referenced.add(e.blob());
      }
    }
    try (Stream<Path> s = Files.walk(b.blobs)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (!referenced.contains(p.getFileName().toString())) {
          Files.deleteIfExists(p); // written by a write that never committed, or replaced
        }
      }
    }
  }

  private static Entry entry(String bucket, JsonNode m, Path file) {
    for (String f : List.of("key", "size", "sha256", "lastModified", "blob")) {
      if (!m.hasNonNull(f)) {
        throw new io.sluice.core.CorruptDataException(
            file.toString(),
            0,
            "the entry of an object in bucket "
                + bucket
                + " is damaged (it has no "
                + f
                + "); restore the bucket from a backup, or remove the file to forget that object");
      }
    }
    return new Entry(
        new ObjectInfo(
            bucket,
            m.get("key").asText(),
            m.get("size").asLong(),
            m.get("sha256").asText(),
            Instant.parse(m.get("lastModified").asText())),
        m.get("blob").asText());
  }

  /** Moves objects of the layout before FORMAT 2 ({@code data/<key>}, {@code meta/}). */
  private void migrate(Bucket b) throws IOException {
    Path data = b.dir.resolve("data");
    Path meta = b.dir.resolve("meta");
    if (Files.isDirectory(data)) {
      List<Path> files;
      try (Stream<Path> s = Files.walk(data)) {
        files = s.filter(Files::isRegularFile).toList();
      }
      for (Path f : files) {
        String key = data.relativize(f).toString().replace(java.io.File.separatorChar, '/');
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(f)) {
          byte[] buf = new byte[1 << 16];
          int n;
          while ((n = in.read(buf)) > 0) {
            sha.update(buf, 0, n);
          }
        }
        Instant modified = Files.getLastModifiedTime(f).toInstant();
        Path old = meta.resolve(key + ".json");
        if (Files.isRegularFile(old)) {
          JsonNode m = Json.MAPPER.readTree(Files.readAllBytes(old));
          if (m.hasNonNull("lastModified")) {
            modified = Instant.parse(m.get("lastModified").asText());
          }
        }
        ObjectInfo info =
            new ObjectInfo(
                b.name, key, Files.size(f), HexFormat.of().formatHex(sha.digest()), modified);
        String h = hash(key);
        String blob = h + "-" + UUID.randomUUID().toString().replace("-", "");
        Path target = blobFile(b, blob);
        Files.createDirectories(target.getParent());
        // the key file first: a crash before the move leaves the bytes in data/, and the next
        // start moves them again (and rewrites the key file); never bytes no key file names
        writeKey(b, h, info, blob);
        Files.move(f, target, StandardCopyOption.ATOMIC_MOVE);
      }
      LOG.info("bucket {}: moved {} objects to the storage format {}", b.name, files.size(), 2);
      deleteTree(data);
    }
    if (Files.isDirectory(meta)) {
      deleteTree(meta);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void writeKey(Bucket b, String h, ObjectInfo info, String blob)
      throws IOException {
    Path file = keyFile(b, h);
    boolean created = !Files.isDirectory(file.getParent());
    Files.createDirectories(file.getParent());
    if (created) {
      AtomicFiles.fsyncDirectory(b.keys);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", KEY_FORMAT);
    m.put("key", info.key());
    m.put("size", info.size());
    m.put("sha256", info.sha256());
    m.put("lastModified", info.lastModified().toString());
    m.put("blob", blob);
    AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(m));
  }

  /**
   * Stores an object from a stream (at most {@link #maxBytes}), durably, replacing any object of
   * the same key, and stores its {@code Object Created} event (with {@code reason}) before it
   * returns.
   *
   * @throws InvalidInputException for a bad key or bucket, or a body over the limit (TOO_LARGE)
   * @throws TransientException when the event could not be stored: the object was not stored either
   */
  public ObjectInfo put(String bucket, String key, InputStream in, String reason)
      throws IOException {
    checkKey(key);
    Bucket b = bucket(bucket, true);
    Path tmp = b.tmp.resolve(UUID.randomUUID() + ".part");
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
      String h = hash(key);
      String blob = h + "-" + UUID.randomUUID().toString().replace("-", "");
      Path target = blobFile(b, blob);
      ReentrantLock lock = stripe(bucket, key);
      lock.lock();
      Entry old;
      ObjectInfo info;
      try {
        boolean created = !Files.isDirectory(target.getParent());
        Files.createDirectories(target.getParent());
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(target.getParent());
        if (created) {
          AtomicFiles.fsyncDirectory(b.blobs);
        }
        info =
            new ObjectInfo(
                bucket, key, size, HexFormat.of().formatHex(sha.digest()), clock.instant());
        old = b.index.get(key);
        writeKey(b, h, info, blob); // the commit
        b.index.put(key, new Entry(info, blob));
        try {
          events.emit("Object Created", info.eventDetail(reason));
        } catch (IOException | RuntimeException e) {
          // undo: the object is stored only with its event
          if (old != null) {
            writeKey(b, h, old.info(), old.blob());
            b.index.put(key, old);
          } else {
            Files.deleteIfExists(keyFile(b, h));
            b.index.remove(key);
          }
          Files.deleteIfExists(target);
          throw new TransientException(
              "the object was not stored: its Object Created event could not be stored ("
                  + e.getMessage()
                  + "); retry",
              e);
        }
      } finally {
        lock.unlock();
      }
      if (old != null) {
        Files.deleteIfExists(blobFile(b, old.blob())); // readers that opened it keep reading it
      }
      return info;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The object's facts, or empty when it does not exist. */
  public Optional<ObjectInfo> head(String bucket, String key) throws IOException {
    checkKey(key);
    Bucket b = bucket(bucket, false);
    Entry e = b == null ? null : b.index.get(key);
    return e == null ? Optional.empty() : Optional.of(e.info());
  }

  /**
   * Opens the current version of an object: its facts and a stream of exactly its bytes (close it),
   * whatever writes happen meanwhile. Empty when it does not exist.
   */
  public Optional<Opened> read(String bucket, String key) throws IOException {
    checkKey(key);
    Bucket b = bucket(bucket, false);
    if (b == null) {
      return Optional.empty();
    }
    while (true) {
      Entry e = b.index.get(key);
      if (e == null) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Opened(e.info(), Files.newInputStream(blobFile(b, e.blob()))));
      } catch (NoSuchFileException replaced) {
        // a write replaced this version between the index and the open: take the new one
        if (b.index.get(key) == e) {
          throw replaced; // not replaced: the blob is missing, which is damage
        }
      }
    }
  }

  /** The object's bytes (close the stream); empty when it does not exist. */
  public Optional<InputStream> open(String bucket, String key) throws IOException {
    return read(bucket, key).map(Opened::in);
  }

  /**
   * Deletes an object and stores its {@code Object Deleted} event before it returns; false (and no
   * event) when there was no object.
   *
   * @throws TransientException when the event could not be stored: the object was kept
   */
  public boolean delete(String bucket, String key) throws IOException {
    checkKey(key);
    Bucket b = bucket(bucket, false);
    if (b == null) {
      return false;
    }
    String h = hash(key);
    ReentrantLock lock = stripe(bucket, key);
    lock.lock();
    Entry e;
    try {
      e = b.index.get(key);
      if (e == null) {
        return false;
      }
      Path file = keyFile(b, h);
      Path tombstone = file.resolveSibling(file.getFileName() + ".deleting");
      Files.move(file, tombstone, StandardCopyOption.ATOMIC_MOVE); // the commit
      AtomicFiles.fsyncDirectory(file.getParent());
      b.index.remove(key);
      try {
        events.emit("Object Deleted", e.info().eventDetail("DeleteObject"));
      } catch (IOException | RuntimeException ex) {
        Files.move(tombstone, file, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.fsyncDirectory(file.getParent());
        b.index.put(key, e);
        throw new TransientException(
            "the object was not deleted: its Object Deleted event could not be stored ("
                + ex.getMessage()
                + "); retry",
            ex);
      }
      Files.deleteIfExists(tombstone);
    } finally {
      lock.unlock();
    }
    Files.deleteIfExists(blobFile(b, e.blob()));
    return true;
  }

  /** Whether {@code bucket} exists: an object was put in it once (it stays when emptied). */
  public boolean hasBucket(String bucket) throws IOException {
    return bucket(bucket, false) != null;
  }

  /**
   * Objects whose key starts with {@code prefix}, in key order, after {@code cursor} (the {@code
   * next} of an earlier page).
   *
   * @throws InvalidInputException a cursor that no page returned
   */
  public Page list(String bucket, String prefix, String cursor, int limit) throws IOException {
    checkBucket(bucket);
    String after = cursor == null || cursor.isEmpty() ? null : decodeCursor(cursor);
    Bucket b = bucket(bucket, false);
    if (b == null) {
      return new Page(List.of(), null);
    }
    String p = prefix == null ? "" : prefix;
    var tail =
        after != null && after.compareTo(p) >= 0
            ? b.index.tailMap(after, false)
            : b.index.tailMap(p, true);
    List<ObjectInfo> out = new ArrayList<>();
    String next = null;
    for (Map.Entry<String, Entry> e : tail.entrySet()) {
      if (!e.getKey().startsWith(p)) {
        break; // keys with the prefix are contiguous in key order
      }
      if (out.size() == limit) {
        next = cursorFor(out.get(out.size() - 1).key());
        break;
      }
      out.add(e.getValue().info());
    }
    return new Page(out, next);
  }

  private static final String CURSOR_PREFIX = "k1.";

  static String cursorFor(String key) {
    return CURSOR_PREFIX
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeCursor(String cursor) {
    if (cursor.startsWith(CURSOR_PREFIX)) {
      try {
        byte[] b = Base64.getUrlDecoder().decode(cursor.substring(CURSOR_PREFIX.length()));
        if (io.sluice.core.Utf8.firstInvalid(b) < 0) {
          return new String(b, StandardCharsets.UTF_8);
        }
      } catch (IllegalArgumentException notBase64) {
        // refused below
      }
    }
    throw bad(
        "/cursor",
        "expected a cursor returned as \"next\" by an earlier listing, got "
            + Problem.render(cursor),
        cursor);
  }
}
