package io.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice put} and {@code sluice get}: the object store from the command line. */
final class ObjectCommands {

  private ObjectCommands() {}

  static String[] split(String target) {
    int slash = target.indexOf('/');
    if (slash <= 0 || slash == target.length() - 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new Put()),
          "expected BUCKET/KEY such as health/raw/a.csv, got \"" + target + "\"");
    }
    return new String[] {target.substring(0, slash), target.substring(slash + 1)};
  }

  static String path(String bucket, String key) {
    StringBuilder b = new StringBuilder("/objects/").append(bucket);
    for (String seg : key.split("/", -1)) {
      b.append('/')
          .append(
              java.net.URLEncoder.encode(seg, java.nio.charset.StandardCharsets.UTF_8)
                  .replace("+", "%20"));
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
      String[] bk = split(target);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(api.url.replaceAll("/+$", "") + path(bk[0], bk[1])))
              .PUT(HttpRequest.BodyPublishers.ofFile(file));
      if (api.apiKey != null && !api.apiKey.isBlank()) {
        b.header("Authorization", "Bearer " + api.apiKey.trim());
      }
      HttpResponse<String> r;
      try (HttpClient http = HttpClient.newHttpClient()) {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println("sluice: upload to " + api.url + " failed: " + e.getMessage());
        return SluiceCommand.EXIT_FAILED;
      }
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
      String[] bk = split(target);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(api.url.replaceAll("/+$", "") + path(bk[0], bk[1])))
              .GET();
      if (api.apiKey != null && !api.apiKey.isBlank()) {
        b.header("Authorization", "Bearer " + api.apiKey.trim());
      }
      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<InputStream> r =
            http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
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
      } catch (IOException e) {
        spec.commandLine()
            .getErr()
            .println("sluice: download from " + api.url + " failed: " + e.getMessage());
        return SluiceCommand.EXIT_FAILED;
      }
      return 0;
    }
  }
}
