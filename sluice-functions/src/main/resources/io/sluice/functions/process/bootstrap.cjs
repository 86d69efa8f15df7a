// Sluice's bootstrap for the nodejs runtime: a Lambda Runtime API client on node's own http
// module (one keep-alive connection). Loads the handler's module from LAMBDA_TASK_ROOT (.js,
// .mjs or .cjs; ES modules through import()) and runs `exports.handler`, async
// (`async (event, context) => …`) or callback-style (`(event, context, callback) => …`), as
// Lambda's Node.js runtime does.
//
// Init errors (the module cannot be loaded, the export is missing) are posted to
// /runtime/init/error; a handler's error to /invocation/{id}/error with errorType its class name
// and stackTrace its stack lines.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const PREFIX = '/2018-06-01/runtime/';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const h = Object.assign({}, headers || {});
    if (data !== undefined) h['Content-Length'] = data.length;
    const req = http.request(
      { host: HOST, port: Number(PORT), method, path: PREFIX + p, headers: h, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

function errorType(e) {
  if (e === null || typeof e !== 'object') return 'Error';
  if (e.name && e.name !== 'Error') return String(e.name);
  const c = e.constructor && e.constructor.name;
  return c && c !== 'Object' ? c : 'Error';
}

function errorBody(e, type) {
  const isError = e instanceof Error;
  const stack = isError && typeof e.stack === 'string' ? e.stack.split('\n').slice(1) : [];
  return JSON.stringify({
    errorType: type || errorType(e),
    errorMessage: isError ? e.message : String(e),
    stackTrace: stack.map((s) => s.trim()),
  });
}

const ERROR_HEADERS = { 'Content-Type': 'application/vnd.aws.lambda.error+json' };

async function load() {
  const handler = process.env._HANDLER || '';
  const dot = handler.lastIndexOf('.');
  const moduleName = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let file = null;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const f = path.resolve(root, moduleName + ext);
    if (fs.existsSync(f)) { file = f; break; }
  }
  if (file === null) {
    throw Object.assign(new Error(`Cannot find module '${moduleName}'`),
      { lambdaType: 'Runtime.ImportModuleError' });
  }
  let mod;
  try {
    if (file.endsWith('.mjs')) {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (e) {
        if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
        else throw e;
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError) e.lambdaType = 'Runtime.UserCodeSyntaxError';
    else if (e && e.code === 'MODULE_NOT_FOUND') e.lambdaType = 'Runtime.ImportModuleError';
    throw e;
  }
  let fn = mod[exportName];
  if (typeof fn !== 'function' && mod.default) fn = mod.default[exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${handler} is undefined or not exported`),
      { lambdaType: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function context(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const parse = (v) => { try { return v ? JSON.parse(v) : undefined; } catch (e) { return undefined; } };
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function run(fn, event, ctx) {
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const callback = (err, result) => (err ? reject(err) : resolve(result));
      try {
        const r = fn(event, ctx, callback);
        if (r && typeof r.then === 'function') r.then(resolve, reject);
      } catch (e) { reject(e); }
    });
  }
  return Promise.resolve().then(() => fn(event, ctx));
}

// Sluice started this process: when Sluice is gone (even killed with SIGKILL) this process is
// re-parented and ends too, at the next turn of the event loop (a handler that never yields
// keeps it alive until it does).
function endWithParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500).unref();
}

async function main() {
  endWithParent();
  let fn;
  try {
    fn = await load();
  } catch (e) {
    const type = (e && e.lambdaType) || errorType(e);
    console.error(`[ERROR] ${type}: ${e && e.stack ? e.stack : e}`);
    await request('POST', 'init/error', errorBody(e, type),
      Object.assign({ 'Lambda-Runtime-Function-Error-Type': type }, ERROR_HEADERS));
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', 'invocation/next');
    if (next.status !== 200) process.exit(0);
    const id = next.headers['lambda-runtime-aws-request-id'];
    if (next.headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    }
    let result;
    try {
      result = await run(fn, next.body ? JSON.parse(next.body) : null, context(next.headers));
    } catch (e) {
      console.error(`[ERROR] ${errorType(e)}: ${e && e.message !== undefined ? e.message : e}`);
      await request('POST', `invocation/${id}/error`, errorBody(e), ERROR_HEADERS);
      continue;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
      if (body === undefined) body = 'null';
    } catch (e) {
      await request('POST', `invocation/${id}/error`,
        errorBody(e, 'Runtime.MarshalError'), ERROR_HEADERS);
      continue;
    }
    await request('POST', `invocation/${id}/response`, body,
      { 'Content-Type': 'application/json' });
  }
}

main().catch((e) => {
  console.error(`[ERROR] the bootstrap failed: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
