package io.sluice.functions.process;

import io.sluice.core.config.FunctionConfig;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The environment a runtime process starts with, as Lambda's: from Sluice's own environment only
 * {@code PATH}, {@code HOME}, {@code LANG} and {@code TMPDIR}; then the function's {@code
 * environment}; then Lambda's reserved variables, which the function's cannot override ({@code
 * AWS_LAMBDA_RUNTIME_API} is added per worker).
 *
 * <ul>
 *   <li>{@code _HANDLER}, {@code LAMBDA_TASK_ROOT} (the code directory), {@code LAMBDA_RUNTIME_DIR}
 *       (where Sluice's bootstraps are)
 *   <li>{@code AWS_LAMBDA_FUNCTION_NAME}, {@code AWS_LAMBDA_FUNCTION_VERSION} ({@code $LATEST}),
 *       {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE} (in MB), {@code AWS_LAMBDA_INITIALIZATION_TYPE}
 *       ({@code on-demand})
 *   <li>{@code AWS_LAMBDA_LOG_GROUP_NAME} ({@code /aws/lambda/<name>}), {@code
 *       AWS_LAMBDA_LOG_STREAM_NAME} ({@code yyyy/MM/dd/[$LATEST]<32 hex>}, one per worker)
 *   <li>{@code AWS_REGION} and {@code AWS_DEFAULT_REGION}: Sluice's {@code AWS_REGION}, else
 *       {@value #DEFAULT_REGION}; {@code AWS_EXECUTION_ENV} ({@code AWS_Lambda_<runtime>}); {@code
 *       TZ} ({@code :UTC})
 * </ul>
 *
 * <p>The function's ARN, in {@code Lambda-Runtime-Invoked-Function-Arn} and {@code
 * context.invoked_function_arn}, is {@code arn:aws:lambda:<region>:000000000000:function:<name>}.
 */
final class ProcessEnvironment {

  static final String DEFAULT_REGION = "us-east-1";
  static final String VERSION = "$LATEST";
  private static final String ACCOUNT = "000000000000";

  private ProcessEnvironment() {}

  static String region() {
    String r = System.getenv("AWS_REGION");
    return r == null || r.isBlank() ? DEFAULT_REGION : r;
  }

  static String arn(String function) {
    return "arn:aws:lambda:" + region() + ":" + ACCOUNT + ":function:" + function;
  }

  /** An X-Ray trace header, made from the request id: {@code Root=1-<time>-<24 hex>;Sampled=0}. */
  static String traceId(String requestId, long deadlineMs) {
    String hex = requestId.replace("-", "");
    if (hex.length() < 24) {
      hex = (hex + "000000000000000000000000").substring(0, 24);
    }
    return "Root=1-"
        + Long.toHexString(deadlineMs / 1000)
        + "-"
        + hex.substring(0, 24)
        + ";Sampled=0";
  }

  static Map<String, String> of(
      FunctionConfig f, String handler, Path taskRoot, Path runtimeDir, Map<String, String> extra) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String k : new String[] {"PATH", "HOME", "LANG", "TMPDIR"}) {
      String v = System.getenv(k);
      if (v != null) {
        env.put(k, v);
      }
    }
    env.putAll(f.environment());
    env.putAll(extra);
    env.put("_HANDLER", handler == null ? "" : handler);
    env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
    env.put("LAMBDA_RUNTIME_DIR", runtimeDir.toString());
    env.put("AWS_LAMBDA_FUNCTION_NAME", f.name());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", VERSION);
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Long.toString(f.memoryBytes() >> 20));
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + f.name());
    env.put(
        "AWS_LAMBDA_LOG_STREAM_NAME",
        LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/')
            + "/["
            + VERSION
            + "]"
            + UUID.randomUUID().toString().replace("-", ""));
    env.put("AWS_REGION", region());
    env.put("AWS_DEFAULT_REGION", region());
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + f.runtime());
    env.put("TZ", ":UTC");
    return env;
  }
}
