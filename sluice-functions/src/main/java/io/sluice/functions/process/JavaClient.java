package io.sluice.functions.process;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * AWS's runtime interface client for Java ({@code aws-lambda-java-runtime-interface-client}, with
 * {@code aws-lambda-java-core}, {@code aws-lambda-java-serialization} and the AWS SDK's {@code
 * utils-lite}), as the child JVM of a {@code java} function runs it: {@code java -cp
 * <code>:<code>/lib/*:<client jars> AWSLambda <handler>}. The jars are found where Sluice's own
 * class loader has them (they are runtime dependencies of this module); Sluice never loads their
 * classes.
 */
final class JavaClient {

  static final String MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  /** A class of each jar the client needs. */
  private static final List<String> CLASSES =
      List.of(
          "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class",
          "com/amazonaws/services/lambda/runtime/RequestHandler.class",
          "com/amazonaws/services/lambda/runtime/serialization/PojoSerializer.class",
          "software/amazon/awssdk/utilslite/SdkInternalThreadLocal.class");

  private JavaClient() {}

  /** The child JVM's class path for the code in task root {@code code}. */
  static String classPath(Path code) throws IOException {
    List<String> parts = new ArrayList<>();
    parts.add(code.toString());
    parts.add(code.resolve("lib").toString() + File.separator + "*");
    parts.addAll(jars());
    return String.join(File.pathSeparator, parts);
  }

  /** The client's jars (or class directories), each once. */
  static List<String> jars() throws IOException {
    List<String> out = new ArrayList<>();
    for (String c : CLASSES) {
      String where = location(c);
      if (!out.contains(where)) {
        out.add(where);
      }
    }
    return out;
  }

  private static String location(String resource) throws IOException {
    URL u = JavaClient.class.getClassLoader().getResource(resource);
    if (u == null) {
      throw new IOException(
          "the java runtime needs AWS's aws-lambda-java-runtime-interface-client on Sluice's class"
              + " path, which has no "
              + resource);
    }
    try {
      if (u.getProtocol().equals("jar")) {
        String s = u.getPath();
        return Path.of(new java.net.URI(s.substring(0, s.indexOf("!/")))).toString();
      }
      if (u.getProtocol().equals("file")) {
        Path p = Path.of(u.toURI());
        for (int i = resource.split("/").length; i > 0; i--) {
          p = p.getParent();
        }
        return p.toString();
      }
    } catch (URISyntaxException | RuntimeException e) {
      throw new IOException("cannot find the file of " + u + ": " + e.getMessage(), e);
    }
    throw new IOException("cannot run the java runtime's client from " + u);
  }
}
