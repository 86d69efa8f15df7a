# Sluice's bootstrap for the python3 runtime: a Lambda Runtime API client that needs nothing but
# the standard library. Imports the handler's module from LAMBDA_TASK_ROOT and runs
# `def handler(event, context)` for each invocation, as Lambda's Python runtime does.
#
# Init errors (the module cannot be imported, the function is missing) are posted to
# /runtime/init/error; a handler's exception to /invocation/{id}/error with errorType the
# exception's class name and stackTrace its traceback lines.
import http.client
import importlib
import json
import os
import sys
import threading
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.rsplit(":", 1)
PREFIX = "/2018-06-01/runtime/"
ERROR_HEADERS = {"Content-Type": "application/vnd.aws.lambda.error+json"}
JSON_HEADERS = {"Content-Type": "application/json"}

_conn = http.client.HTTPConnection(HOST, int(PORT))


def _request(method, path, body=None, headers=None):
    global _conn
    for attempt in (0, 1):
        try:
            _conn.request(method, PREFIX + path, body=body, headers=headers or {})
            r = _conn.getresponse()
            return r, r.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if attempt:
                raise
            _conn.close()
            _conn = http.client.HTTPConnection(HOST, int(PORT))


def _error_body(e, error_type=None):
    tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename != __file__]
    frames = traceback.format_list(tb)
    return json.dumps({
        "errorMessage": str(e),
        "errorType": error_type or type(e).__name__,
        "stackTrace": [f.rstrip("\n") for f in frames],
    })


class LambdaContext:
    __slots__ = ("aws_request_id", "invoked_function_arn", "_deadline_ms", "client_context",
                 "identity")
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
    memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
    log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")

    def __init__(self, request_id, arn, deadline_ms, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self._deadline_ms = deadline_ms
        self.client_context = client_context
        self.identity = identity

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _init():
    handler = os.environ.get("_HANDLER", "")
    module_name, _, function_name = handler.rpartition(".")
    root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except SyntaxError as e:
        return None, ("Runtime.UserCodeSyntaxError",
                      "Syntax error in module '%s': %s" % (module_name, e), e)
    except ImportError as e:
        return None, ("Runtime.ImportModuleError",
                      "Unable to import module '%s': %s" % (module_name, e), e)
    except Exception as e:
        return None, (type(e).__name__, str(e), e)
    fn = getattr(module, function_name, None)
    if fn is None or not callable(fn):
        return None, ("Runtime.HandlerNotFound",
                      "Handler '%s' missing on module '%s'" % (function_name, module_name), None)
    return fn, None


def _end_with_parent():
    """Sluice started this process: when Sluice is gone, even killed with SIGKILL in the middle of
    a handler, this process ends too (it is re-parented, so its parent id changes)."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="sluice-parent", daemon=True).start()


def main():
    _end_with_parent()
    fn, failed = _init()
    if failed is not None:
        error_type, message, e = failed
        frames = [] if e is None else [
            f.rstrip("\n") for f in traceback.format_exception(type(e), e, e.__traceback__)]
        sys.stderr.write("[ERROR] %s: %s\n" % (error_type, message))
        for f in frames:
            sys.stderr.write(f + "\n")
        sys.stderr.flush()
        body = json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": frames})
        headers = dict(ERROR_HEADERS)
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
        _request("POST", "init/error", body, headers)
        sys.exit(1)
    while True:
        r, event = _request("GET", "invocation/next")
        if r.status != 200:
            sys.exit(0)
        request_id = r.getheader("Lambda-Runtime-Aws-Request-Id")
        ctx = LambdaContext(
            request_id,
            r.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            int(r.getheader("Lambda-Runtime-Deadline-Ms") or 0),
            r.getheader("Lambda-Runtime-Client-Context"),
            r.getheader("Lambda-Runtime-Cognito-Identity"))
        trace = r.getheader("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        try:
            result = fn(json.loads(event) if event else None, ctx)
        except Exception as e:
            sys.stderr.write("[ERROR] %s: %s\n" % (type(e).__name__, e))
            sys.stderr.flush()
            _request("POST", "invocation/%s/error" % request_id, _error_body(e), ERROR_HEADERS)
            continue
        try:
            body = json.dumps(result)
        except (TypeError, ValueError) as e:
            body = json.dumps({"errorMessage": "Unable to marshal response: %s" % e,
                               "errorType": "Runtime.MarshalError", "stackTrace": []})
            _request("POST", "invocation/%s/error" % request_id, body, ERROR_HEADERS)
            continue
        _request("POST", "invocation/%s/response" % request_id, body, JSON_HEADERS)


if __name__ == "__main__":
    main()
