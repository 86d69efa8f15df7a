package io.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The object store from the command line: {@code sluice objects ls|rm|put|get}, and {@code sluice
 * put} / {@code sluice get} (the same as {@code objects put} / {@code objects get}).
 */
final class ObjectCommands {

  private ObjectCommands() {}

  /** BUCKET/KEY split at the first slash; a command-line error (exit 2) without both. */
  static String[] split(String target, picocli.CommandLine.Model.CommandSpec spec) {
    int slash = target.indexOf('/');
    if (slash <= 0 || slash == target.length() - 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "expected BUCKET/KEY such as health/raw/a.csv, got \"" + target + "\"");
    }
    return new String[] {target.substring(0, slash), target.substring(slash + 1)};
  }

  static String path(String bucket, String key) {
    StringBuilder b = new StringBuilder("/objects/").append(ApiClient.segment(bucket));
    for (String seg : key.split("/", -1)) {
      b.append('/').append(ApiClient.segment(seg));
    }
    return b.toString();
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = {
        "Upload a file to the object store (streamed): sluice put vitals.csv health/raw/vitals.csv",
        "Prints the stored size and SHA-256; the upload emits Object Created on the objects bus."
      })
  static final class Put implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Parameters(index = "1", paramLabel = "BUCKET/KEY")
    String target;

    @Mixin ApiClient api;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(file)) {
        spec.commandLine().getErr().println("sluice: FILE: no such file " + file);
        return SluiceCommand.EXIT_USAGE;
      }
      String[] bk = split(target, spec);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(api.uri(path(bk[0], bk[1])))
              .PUT(HttpRequest.BodyPublishers.ofFile(file));
      if (api.apiKey != null && !api.apiKey.isBlank()) {
        b.header("Authorization", "Bearer " + api.apiKey.trim());
      }
      HttpResponse<String> r;
      try (HttpClient http = HttpClient.newHttpClient()) {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.net.ConnectException e) {
        spec.commandLine().getErr().println("sluice: " + api.cannotConnect());
        return SluiceCommand.EXIT_FAILED;
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println("sluice: upload to " + api.url + " failed: " + e.getMessage());
        return SluiceCommand.EXIT_FAILED;
      }
      api.checkIsSluice(r);
      if (r.statusCode() != 200) {
        spec.commandLine()
            .getErr()
            .println("sluice: " + new ApiClient.Response(r.statusCode(), -1, r.body()).error());
        return SluiceCommand.EXIT_FAILED;
      }
      var j = io.sluice.core.Json.MAPPER.readTree(r.body());
      spec.commandLine()
          .getOut()
          .printf(
              "%s/%s: %d bytes, sha256 %s%n",
              bk[0], bk[1], j.get("size").asLong(), j.get("sha256").asText());
      return 0;
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description =
          "Download an object: sluice get health/processed/vitals.csv [FILE] (stdout without FILE).")
  static final class Get implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUCKET/KEY")
    String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE")
    Path file;

    @Mixin ApiClient api;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String[] bk = split(target, spec);
      HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path(bk[0], bk[1]))).GET();
      if (api.apiKey != null && !api.apiKey.isBlank()) {
        b.header("Authorization", "Bearer " + api.apiKey.trim());
      }
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<InputStream> r =
            http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        api.checkIsSluice(r);
        try (InputStream in = r.body()) {
          if (r.statusCode() != 200) {
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            spec.commandLine()
                .getErr()
                .println("sluice: " + new ApiClient.Response(r.statusCode(), -1, body).error());
            return SluiceCommand.EXIT_FAILED;
          }
          if (file == null) {
            in.transferTo(System.out);
            System.out.flush();
          } else {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      } catch (java.net.ConnectException e) {
        spec.commandLine().getErr().println("sluice: " + api.cannotConnect());
        return SluiceCommand.EXIT_FAILED;
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println("sluice: download from " + api.url + " failed: " + e.getMessage());
        return SluiceCommand.EXIT_FAILED;
      }
      return 0;
    }
  }

  @Command(
      name = "objects",
      mixinStandardHelpOptions = true,
      description = "List, delete, upload and download objects.",
      subcommands = {Ls.class, Rm.class, Put.class, Get.class})
  static final class Objects implements Runnable {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = {
        "List the objects of a bucket in key order, following the listing's pages to the end:",
        "  sluice objects ls health --prefix raw/ --limit 100",
        "Prints size, last modified (UTC) and key per line."
      })
  static final class Ls implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUCKET")
    String bucket;

    @Option(names = "--prefix", description = "Only keys starting with this.")
    String prefix;

    @Option(names = "--limit", description = "At most this many objects (default: all).")
    Integer limit;

    @Option(names = "--format", defaultValue = "table", description = "table (default) or json.")
    String format;

    @Option(
        names = "--page-size",
        hidden = true,
        defaultValue = "1000",
        description = "Objects per request, 1..1000 (the server's most).")
    int pageSize;

    @Mixin ApiClient api;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      var err = spec.commandLine().getErr();
      if (limit != null && limit < 1) {
        err.println("sluice: --limit: expected a positive number of objects, got " + limit);
        return SluiceCommand.EXIT_USAGE;
      }
      if (!format.equals("table") && !format.equals("json")) {
        err.println("sluice: --format: expected table or json, got \"" + format + "\"");
        return SluiceCommand.EXIT_USAGE;
      }
      if (pageSize < 1 || pageSize > 1000) {
        err.println("sluice: --page-size: expected 1..1000, got " + pageSize);
        return SluiceCommand.EXIT_USAGE;
      }
      var out = spec.commandLine().getOut();
      boolean json = format.equals("json");
      if (json) {
        out.print("{\"objects\":[");
      }
      long listed = 0;
      String cursor = null;
      boolean more;
      do {
        int want = limit == null ? pageSize : (int) Math.min(pageSize, limit - listed);
        StringBuilder q = new StringBuilder("?limit=").append(want);
        if (prefix != null) {
          q.append("&prefix=").append(ApiClient.segment(prefix));
        }
        if (cursor != null) {
          q.append("&cursor=").append(ApiClient.segment(cursor));
        }
        ApiClient.Response r =
            api.send("GET", "/objects/" + ApiClient.segment(bucket) + q, null, null);
        if (r.status() != 200) {
          out.flush();
          err.println("sluice: " + r.error());
          return SluiceCommand.EXIT_FAILED;
        }
        var page = r.json();
        for (var o : page.get("objects")) {
          if (json) {
            out.print((listed == 0 ? "" : ",") + o);
          } else {
            out.printf(
                "%12d  %s  %s%n",
                o.get("size").asLong(),
                java.time.Instant.parse(o.get("lastModified").asText())
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                o.get("key").asText());
          }
          listed++;
        }
        cursor = page.path("next").isTextual() ? page.get("next").asText() : null;
        more = cursor != null;
      } while (more && (limit == null || listed < limit));
      if (json) {
        out.println("]}");
      } else {
        out.println(
            "("
                + listed
                + (listed == 1 ? " object" : " objects")
                + (more ? "; there are more: raise --limit" : "")
                + ")");
      }
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "rm",
      mixinStandardHelpOptions = true,
      description = {
        "Delete an object (it emits Object Deleted on the objects bus):",
        "  sluice objects rm health/raw/vitals.csv"
      })
  static final class Rm implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUCKET/KEY")
    String target;

    @Mixin ApiClient api;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      String[] bk = split(target, spec);
      ApiClient.Response r = api.send("DELETE", path(bk[0], bk[1]), null, null);
      if (r.status() != 204) {
        spec.commandLine().getErr().println("sluice: " + r.error());
        return SluiceCommand.EXIT_FAILED;
      }
      spec.commandLine().getOut().println("deleted " + bk[0] + "/" + bk[1]);
      return 0;
    }
  }
}
