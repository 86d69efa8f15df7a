package io.sluice.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.sluice.core.InvalidInputException;
import io.sluice.core.Problem;
import io.sluice.objects.ObjectStore;
import io.sluice.objects.ObjectStore.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object store over HTTP: {@code PUT|GET|HEAD|DELETE /objects/{bucket}/{key…}} and {@code GET
 * /objects/{bucket}?prefix=P&cursor=C&limit=N} (404 for a bucket no object was ever put in). A PUT
 * streams the body to disk (never whole in memory), answers only once the object and its {@code
 * Object Created} event are durable, and is refused with 413 over {@code objects.maxObjectBytes}.
 * Writes need the {@code objects:write} scope, reads {@code read}, when API keys are on.
 */
final class ObjectsApi implements Api {

  private final ObjectStore store;
  private final ApiKeys keys;

  ObjectsApi(ObjectStore store, ApiKeys keys) {
    this.store = store;
    this.keys = keys;
  }

  @Override
  public void mount(RoutesConfig routes) {
    routes.put("/objects/{bucket}/<key>", this::put);
    routes.get("/objects/{bucket}/<key>", this::get);
    routes.head("/objects/{bucket}/<key>", this::head);
    routes.delete("/objects/{bucket}/<key>", this::delete);
    routes.get("/objects/{bucket}", this::list);
  }

  /**
   * The key of the request, decoded from the path as it came: the router's decoding would turn
   * {@code a%2Fb} into {@code a/b} and drop a trailing {@code /}, so the key is read from the raw
   * request URI (after {@code /objects/<bucket>/}) and decoded once by {@link
   * ObjectStore#decodeKey}, which refuses encoded slashes, backslashes, dot segments and control
   * characters.
   */
  private static String key(Context ctx) {
    String uri = ctx.req().getRequestURI();
    int start = uri.indexOf('/', "/objects/".length());
    return ObjectStore.decodeKey(start < 0 ? "" : uri.substring(start + 1));
  }

  private static Map<String, Object> json(ObjectInfo i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("bucket", i.bucket());
    m.put("key", i.key());
    m.put("size", i.size());
    m.put("sha256", i.sha256());
    m.put("lastModified", i.lastModified().toString());
    return m;
  }

  void put(Context ctx) throws IOException {
    keys.require(ctx, "objects:write");
    String bucket = ctx.pathParam("bucket");
    String key = key(ctx);
    long declared = ctx.req().getContentLengthLong();
    if (declared > store.maxBytes()) {
      // too large to read to the end first: tell the client the connection ends with this answer
      // (one that sent Expect: 100-continue has not sent the body at all)
      ctx.header("Connection", "close");
      throw new InvalidInputException(
          InvalidInputException.TOO_LARGE,
          Problem.of(
              "/body",
              "Content-Length "
                  + declared
                  + " is larger than the limit of "
                  + store.maxBytes()
                  + " bytes (objects.maxObjectBytes)"));
    }
    ObjectInfo info;
    try (InputStream in = RequestBodies.stream(ctx)) {
      info = store.put(bucket, key, in, "PutObject"); // with its Object Created event
    } catch (InvalidInputException e) {
      if (InvalidInputException.TOO_LARGE.equals(e.code())) {
        ctx.header("Connection", "close"); // the rest of the body is not read
      }
      throw e;
    }
    ctx.json(json(info));
  }

  private static InvalidInputException notFound(String bucket, String key) {
    return new InvalidInputException(
        InvalidInputException.NOT_FOUND,
        Problem.of("/key", "no object " + Problem.render(key) + " in bucket " + bucket));
  }

  void head(Context ctx) throws IOException {
    keys.require(ctx, "read");
    String bucket = ctx.pathParam("bucket");
    String key = key(ctx);
    ObjectInfo i = store.head(bucket, key).orElseThrow(() -> notFound(bucket, key));
    headers(ctx, i);
    ctx.status(200);
  }

  private static void headers(Context ctx, ObjectInfo i) {
    ctx.header("Content-Length", Long.toString(i.size()));
    ctx.header("ETag", "\"" + i.sha256() + "\"");
    ctx.header("X-Sluice-Sha256", i.sha256());
    ctx.header(
        "Last-Modified",
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            i.lastModified().atZone(java.time.ZoneOffset.UTC)));
    ctx.contentType("application/octet-stream");
  }

  /** Streams one whole version: the headers (size, ETag) are those of the bytes sent. */
  void get(Context ctx) throws IOException {
    keys.require(ctx, "read");
    String bucket = ctx.pathParam("bucket");
    String key = key(ctx);
    ObjectStore.Opened o = store.read(bucket, key).orElseThrow(() -> notFound(bucket, key));
    try (InputStream in = o.in()) {
      headers(ctx, o.info());
      try (OutputStream out = ctx.res().getOutputStream()) {
        in.transferTo(out);
      }
    }
  }

  /**
   * 204 when the object was deleted (its Object Deleted event is stored), 404 when there was none.
   */
  void delete(Context ctx) throws IOException {
    keys.require(ctx, "objects:write");
    String bucket = ctx.pathParam("bucket");
    String key = key(ctx);
    if (!store.delete(bucket, key)) {
      throw notFound(bucket, key);
    }
    ctx.status(204);
  }

  void list(Context ctx) throws IOException {
    keys.require(ctx, "read");
    String bucket = ctx.pathParam("bucket");
    ObjectStore.checkBucket(bucket);
    int limit = (int) QueryParams.longParam(ctx, "limit", 1000, 1, 1000);
    String prefix = QueryParams.get(ctx, "prefix");
    String cursor = QueryParams.get(ctx, "cursor");
    if (!store.hasBucket(bucket)) {
      // a typo in the bucket must not look like an empty bucket
      throw new InvalidInputException(
          InvalidInputException.NOT_FOUND,
          Problem.of(
              "/bucket",
              "no bucket named "
                  + Problem.render(bucket)
                  + " (a bucket exists once an object was put in it)",
              Problem.render(bucket)));
    }
    ObjectStore.Page page = store.list(bucket, prefix, cursor, limit);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("objects", page.objects().stream().map(ObjectsApi::json).toList());
    out.put("next", page.next());
    ctx.json(out);
  }
}
