package io.sluice.functions.process;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.Problem;
import io.sluice.core.config.ConfigNode;
import io.sluice.core.config.FunctionConfig;
import io.sluice.core.functions.FunctionRuntime;
import io.sluice.core.functions.RuntimeContext;
import io.sluice.core.functions.RuntimeKind;
import io.sluice.core.kinds.ReadContext;
import io.sluice.core.kinds.Schemas;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The runtimes whose handlers run in a child process that speaks the AWS Lambda Runtime API ({@link
 * Worker}, {@link ProcessFunction}): {@code python3} and {@code nodejs} with the small bootstraps
 * Sluice ships (they need nothing but the interpreter on {@code PATH}), {@code java} (a {@code
 * RequestHandler} run by AWS's runtime interface client in a child JVM, {@link JavaClient}), and
 * {@code provided}, any {@code bootstrap} executable in the code, as Lambda's custom runtimes. One
 * class with a {@link Language} per runtime: they differ only in what they check and the command
 * they start.
 *
 * <pre>{@code
 * functions:
 *   - name: enrich
 *     runtime: python3        # or nodejs, provided
 *     handler: app.handler    # def handler(event, context) in app.py; nodejs: index.handler
 *     code: functions/enrich  # a directory relative to the config file, or a .zip
 *     memory: 256MB
 * }</pre>
 *
 * <p>Memory: {@code python3} and {@code provided} processes start under {@code ulimit -v} (their
 * address space is limited to {@code memory}; past it allocation fails: Python raises {@code
 * MemoryError}); {@code nodejs} gets {@code --max-old-space-size} and {@code java} {@code -Xmx}
 * with {@code -XX:+ExitOnOutOfMemoryError} (V8 and the JVM reserve far more address space than they
 * use, so an address-space limit would stop them from starting). A worker that ran out is replaced
 * and its invocation fails with {@code Runtime.OutOfMemory}, "the function ran out of memory
 * (memory: 128MB)".
 *
 * <p>A {@code .zip} code is unpacked into {@code <workDir>/code} at every start; its {@code
 * bootstrap} and files beginning with {@code #!} are made executable (zip entries carry no Unix
 * modes that the JDK reads).
 *
 * <p>Immutable and thread-safe.
 */
public final class ProcessRuntimeKind implements RuntimeKind<ProcessSpec> {

  /** The runtimes of this kind, and what each checks and starts. */
  enum Language {
    PYTHON3("python3", "python3", "bootstrap.py"),
    NODEJS("nodejs", "node", "bootstrap.cjs"),
    PROVIDED("provided", null, null),
    JAVA("java", null, null);

    final String runtime;
    final String interpreter;
    final String bootstrap;

    Language(String runtime, String interpreter, String bootstrap) {
      this.runtime = runtime;
      this.interpreter = interpreter;
      this.bootstrap = bootstrap;
    }
  }

  static final Pattern PYTHON_HANDLER =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_]*(?:[./][A-Za-z_][A-Za-z0-9_]*)*)\\.([A-Za-z_]\\w*)");
  static final Pattern NODE_HANDLER =
      Pattern.compile(
          "((?:[A-Za-z0-9_@-][A-Za-z0-9_@.-]*/)*[A-Za-z0-9_@-][A-Za-z0-9_@-]*)"
              + "\\.([A-Za-z_$][A-Za-z0-9_$]*)");
  static final Pattern JAVA_HANDLER =
      Pattern.compile(
          "([A-Za-z_$][A-Za-z0-9_$]*(?:\\.[A-Za-z_$][A-Za-z0-9_$]*)*)(?:::([A-Za-z_$][A-Za-z0-9_$]*))?");
  private static final List<String> KEYS = List.of("handler", "code");

  private final Language language;

  private ProcessRuntimeKind(Language language) {
    this.language = language;
  }

  /** {@code python3}: {@code handler: module.function}, Sluice's bootstrap, {@code python3}. */
  public static ProcessRuntimeKind python3() {
    return new ProcessRuntimeKind(Language.PYTHON3);
  }

  /** {@code nodejs}: {@code handler: file.export}, Sluice's bootstrap, {@code node}. */
  public static ProcessRuntimeKind nodejs() {
    return new ProcessRuntimeKind(Language.NODEJS);
  }

  /**
   * {@code java}: {@code handler: package.Class::method} (or {@code package.Class}, a {@code
   * RequestHandler}), run by AWS's runtime interface client in a child JVM.
   */
  public static ProcessRuntimeKind java() {
    return new ProcessRuntimeKind(Language.JAVA);
  }

  /** {@code provided}: the code's own {@code bootstrap} executable. */
  public static ProcessRuntimeKind provided() {
    return new ProcessRuntimeKind(Language.PROVIDED);
  }

  @Override
  public String name() {
    return language.runtime;
  }

  @Override
  public Class<ProcessSpec> specType() {
    return ProcessSpec.class;
  }

  @Override
  public List<String> keys() {
    return KEYS;
  }

  @Override
  public ObjectNode schema() {
    return Schemas.resource(ProcessRuntimeKind.class, "process.schema.json");
  }

  // -- reading -----------------------------------------------------------------------------------

  @Override
  public ProcessSpec read(ConfigNode function, ReadContext context) {
    ConfigNode h = function.field("handler");
    ConfigNode c = function.field("code");
    String handler =
        switch (language) {
          case PYTHON3 ->
              h.requiredString(
                  "a handler module.function, as Lambda's: app.handler for def"
                      + " handler in app.py");
          case NODEJS ->
              h.requiredString(
                  "a handler file.export, as Lambda's: index.handler for"
                      + " exports.handler in index.js");
          case PROVIDED -> h.string(null);
          case JAVA ->
              h.requiredString(
                  "a handler package.Class::method, as Lambda's:"
                      + " example.Orders::handleRequest for a RequestHandler");
        };
    String code =
        c.requiredString("the function's code: a directory or a .zip, relative to the config file");
    if (language.interpreter != null && Interpreters.onPath(language.interpreter) == null) {
      function
          .field("runtime")
          .problem(
              "runtime "
                  + language.runtime
                  + " runs handlers with "
                  + language.interpreter
                  + ", which is not on PATH");
    }
    if (code == null) {
      return null;
    }
    Path path = context.base().resolve(code).toAbsolutePath().normalize();
    ProcessSpec spec = new ProcessSpec(language.runtime, handler, path);
    Code files = Code.of(spec, c);
    if (files == null) {
      return spec;
    }
    switch (language) {
      case PYTHON3 -> checkPython(h, handler, files);
      case NODEJS -> checkNode(h, handler, files);
      case PROVIDED -> checkBootstrap(c, files);
      case JAVA -> checkJava(h, handler, files);
    }
    return spec;
  }

  private static void checkPython(ConfigNode h, String handler, Code files) {
    if (handler == null) {
      return;
    }
    Matcher m = PYTHON_HANDLER.matcher(handler);
    if (!m.matches()) {
      h.problem(
          "expected module.function as Lambda's (app.handler for def handler in app.py), got "
              + Problem.render(handler));
      return;
    }
    String module = m.group(1).replace('.', '/');
    if (!files.has(module + ".py") && !files.has(module + "/__init__.py")) {
      h.problem(
          "module "
              + m.group(1)
              + " has no file "
              + module
              + ".py (or "
              + module
              + "/__init__.py) in "
              + files.where());
    }
  }

  private static void checkNode(ConfigNode h, String handler, Code files) {
    if (handler == null) {
      return;
    }
    Matcher m = NODE_HANDLER.matcher(handler);
    if (!m.matches() || m.group(1).contains("..")) {
      h.problem(
          "expected file.export as Lambda's (index.handler for exports.handler in index.js), got "
              + Problem.render(handler));
      return;
    }
    String module = m.group(1);
    if (!files.has(module + ".js") && !files.has(module + ".mjs") && !files.has(module + ".cjs")) {
      h.problem(
          "module "
              + module
              + " has no file "
              + module
              + ".js, "
              + module
              + ".mjs or "
              + module
              + ".cjs in "
              + files.where());
    }
  }

  private static void checkJava(ConfigNode h, String handler, Code files) {
    if (handler == null) {
      return;
    }
    Matcher m = JAVA_HANDLER.matcher(handler);
    if (!m.matches()) {
      h.problem(
          "expected package.Class::method as Lambda's (example.Orders::handleRequest), got "
              + Problem.render(handler));
      return;
    }
    String file = m.group(1).replace('.', '/') + ".class";
    if (!files.has(file) && !files.hasLibraries()) {
      h.problem("class " + m.group(1) + " has no file " + file + " in " + files.where());
    }
  }

  private static void checkBootstrap(ConfigNode c, Code files) {
    if (!files.has("bootstrap")) {
      c.problem(
          "has no bootstrap file in "
              + files.where()
              + ": a provided runtime starts the executable bootstrap there (a script with #!, a"
              + " binary)");
    } else if (files.zip == null && !Files.isExecutable(files.dir.resolve("bootstrap"))) {
      c.problem(
          files.dir.resolve("bootstrap")
              + " is not executable (chmod +x it): a provided runtime starts it");
    }
  }

  /** The files of a code directory or zip, for the checks that need no process. */
  private record Code(Path dir, Set<String> zip) {

    /** The code's files, or null (a problem recorded) when there is no such directory or zip. */
    static Code of(ProcessSpec spec, ConfigNode c) {
      Path p = spec.code();
      if (spec.isArchive()) {
        if (!Files.isRegularFile(p)) {
          c.problem(".zip file " + p + " does not exist");
          return null;
        }
        Set<String> names = new HashSet<>();
        try (ZipFile z = new ZipFile(p.toFile())) {
          z.stream().forEach(e -> names.add(e.getName()));
        } catch (IOException e) {
          c.problem(p + " is not a readable .zip file: " + e.getMessage());
          return null;
        }
        return new Code(p, names);
      }
      if (!Files.isDirectory(p)) {
        c.problem(
            (Files.exists(p) ? p + " is not a directory" : "directory " + p + " does not exist")
                + " (code is a directory or a .zip, relative to the config file)");
        return null;
      }
      return new Code(p, null);
    }

    boolean has(String file) {
      return zip == null ? Files.isRegularFile(dir.resolve(file)) : zip.contains(file);
    }

    /** Whether there is a {@code lib/} of jars, whose classes are not looked into. */
    boolean hasLibraries() {
      return zip == null
          ? Files.isDirectory(dir.resolve("lib"))
          : zip.stream().anyMatch(n -> n.startsWith("lib/") && n.endsWith(".jar"));
    }

    String where() {
      return dir.toString();
    }
  }

  // -- starting ----------------------------------------------------------------------------------

  @Override
  public FunctionRuntime start(FunctionConfig f, ProcessSpec spec, RuntimeContext context) {
    ProcessFunction.Launcher launcher;
    try {
      Path runtimeDir = context.workDir().resolve("runtime");
      Files.createDirectories(runtimeDir);
      Path code =
          spec.isZip()
              ? unzip(spec.code(), context.workDir().resolve("code"))
              : spec.isJar()
                  ? library(spec.code(), context.workDir().resolve("code"))
                  : spec.code();
      List<String> command = command(f, spec, runtimeDir, code);
      Map<String, String> extra = new LinkedHashMap<>();
      if (language == Language.PYTHON3) {
        extra.put("PYTHONUNBUFFERED", "1");
        extra.put("PYTHONDONTWRITEBYTECODE", "1");
      }
      Map<String, String> env = ProcessEnvironment.of(f, spec.handler(), code, runtimeDir, extra);
      launcher = i -> new Worker(f, context.log(), i, command, env, code);
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      String why = e.getMessage();
      launcher =
          i -> {
            throw new IOException(why);
          };
    }
    return new ProcessFunction(f, context, launcher, ExponentialBackoff.RESTARTS);
  }

  private List<String> command(FunctionConfig f, ProcessSpec spec, Path runtimeDir, Path code)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    long kb = f.memoryBytes() >> 10;
    switch (language) {
      case PYTHON3 -> {
        cmd.addAll(ulimit(kb));
        cmd.add(Interpreters.python().toString());
        cmd.add(copyBootstrap(runtimeDir).toString());
      }
      case NODEJS -> {
        cmd.add(Interpreters.require("node").toString());
        cmd.add("--max-old-space-size=" + (f.memoryBytes() >> 20));
        cmd.add(copyBootstrap(runtimeDir).toString());
      }
      case PROVIDED -> {
        cmd.addAll(ulimit(kb));
        cmd.add(code.resolve("bootstrap").toString());
      }
      case JAVA -> {
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + (f.memoryBytes() >> 20) + "m");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("--enable-native-access=ALL-UNNAMED"); // the client's JNI Runtime API client
        cmd.add("-cp");
        cmd.add(JavaClient.classPath(code));
        cmd.add(JavaClient.MAIN);
        cmd.add(spec.handler());
      }
    }
    return cmd;
  }

  /** {@code sh -c 'ulimit -v KB && exec "$0" "$@"' cmd args…}: the process is cmd itself. */
  private static List<String> ulimit(long kb) {
    return List.of("/bin/sh", "-c", "ulimit -v " + kb + " && exec \"$0\" \"$@\"");
  }

  private Path copyBootstrap(Path runtimeDir) throws IOException {
    Path target = runtimeDir.resolve(language.bootstrap);
    try (InputStream in = ProcessRuntimeKind.class.getResourceAsStream(language.bootstrap)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + language.bootstrap + " is missing from the build");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  /** Unpacks {@code zip} into a fresh {@code dir}; entries that would land outside it fail. */
  static Path unzip(Path zip, Path dir) throws IOException {
    clear(dir);
    Files.createDirectories(dir);
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : z.stream().toList()) {
        Path target = dir.resolve(e.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException(zip + ": entry " + e.getName() + " would unpack outside " + dir);
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = z.getInputStream(e)) {
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (e.getName().equals("bootstrap") || startsWithShebang(target)) {
          target.toFile().setExecutable(true, false);
        }
      }
    }
    return dir;
  }

  /** A fresh {@code dir} with {@code jar} in its {@code lib/}: a java function's task root. */
  static Path library(Path jar, Path dir) throws IOException {
    clear(dir);
    Files.createDirectories(dir.resolve("lib"));
    Files.copy(jar, dir.resolve("lib").resolve(jar.getFileName()));
    return dir;
  }

  private static void clear(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static boolean startsWithShebang(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return in.read() == '#' && in.read() == '!';
    }
  }
}
