#!/usr/bin/env node
// Test-owned compatibility layer over @vercel/cosmosdb-server 1.0.1 for Microsoft.Azure.Cosmos (.NET, Gateway mode).
// It runs the package's own in-memory account and routes, and fixes in front of them what the .NET SDK needs.
// Usage: node cosmos-compat-server.js [-p PORT] [--host 127.0.0.1] [--no-ssl] [--log]
// Prints "Ready to accept HTTP(S) connections at HOST:PORT" when listening. In-memory only; stop it with SIGTERM.
"use strict";
const fs = require("fs");
const http = require("http");
const https = require("https");
const path = require("path");
const { randomUUID } = require("crypto");

const PKG = path.dirname(require.resolve("@vercel/cosmosdb-server/package.json"));
const Account = require(path.join(PKG, "lib/account")).default;
const Items = require(path.join(PKG, "lib/account/items")).default;
const route = require(path.join(PKG, "lib/routes")).default;
// the package's own SQL engine (a dependency of it), resolved from the package so hoisting does not matter
const cosmosQueryLib = require(require.resolve("@zeit/cosmosdb-query", { paths: [PKG] }));
const documentOperations = require(path.join(PKG, "lib/handler/_document-operations"));
const batch = require("./transactional-batch");
const parsedQueries = new Map(); // SQL text -> compiled query (parsing is the slow part)
function compileQuery(sql) {
  if (!parsedQueries.has(sql)) {
    if (parsedQueries.size > 500) parsedQueries.clear();
    parsedQueries.set(sql, cosmosQueryLib.default(sql));
  }
  return parsedQueries.get(sql);
}

// ---- change-feed bookkeeping: every stored document version gets a global, increasing LSN ----
// ETags are quoted, as Cosmos DB's are (the package stores a bare UUID, which is not a valid HTTP ETag).
let lastLsn = 0;
const lsnOf = new WeakMap(); // stored document object -> LSN of the write that stored it
const originalSet = Items.prototype._set;
Items.prototype._set = function setWithLsn(data) {
  if (typeof data._etag === "string" && !data._etag.startsWith('"')) data._etag = `"${data._etag}"`;
  const stored = originalSet.call(this, data);
  lsnOf.set(stored, ++lastLsn);
  return stored;
};

const header = (req, name) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const isTrue = (req, name) => String(header(req, name) || "").toLowerCase() === "true";
const readBytes = req =>
  new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", c => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
  });
const readBody = async req => (await readBytes(req)).toString();
const DOCS = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs\/?$/;
const DOC = /^\/dbs\/([^/]+)\/colls\/([^/]+)\/docs\/([^/]+)\/?$/;
const pathOf = req => decodeURIComponent(new URL(req.url, "http://x").pathname.replace(/^\/\//, "/"));
const collectionOf = (account, m) => account.database(m[1]).collection(m[2]);
// Partition key value from the "x-ms-documentdb-partitionkey" header (["u1"]), or undefined when absent or "[{}]".
function partitionKeyValue(req) {
  const raw = header(req, "x-ms-documentdb-partitionkey");
  if (!raw) return undefined;
  const parsed = JSON.parse(raw);
  const v = Array.isArray(parsed) ? parsed[0] : parsed;
  return v !== null && typeof v === "object" ? undefined : v;
}
const pkPathOf = coll => ((coll.read().partitionKey || {}).paths || ["/id"])[0].slice(1).split("/");
const valueAt = (doc, keys) => keys.reduce((o, k) => (o == null ? undefined : o[k]), doc);
const allDocs = coll => [...coll.documents._data.values()].map(item => item.read());
const NOT_FOUND = { code: "NotFound", message: "Entity with the specified id does not exist in the system." };

// A query plan that says "nothing to do client-side": valid because this server has exactly one partition key
// range, so the single backend request already returns the complete, ordered, aggregated answer.
const trivialQueryPlan = () => ({
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: "None", top: null, offset: null, limit: null, orderBy: [], orderByExpressions: [],
    groupByExpressions: [], groupByAliases: [], aggregates: [], groupByAliasToAggregateType: {},
    rewrittenQuery: "", hasSelectValue: false, dCountInfo: null, hasNonStreamingOrderBy: false,
  },
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
});

// Each fix returns {status, body, headers} to answer the request itself, or undefined to let the package handle it.
const fixes = [
  // 0. TransactionalBatch (header x-ms-cosmos-is-batch-request): the package knows only the JavaScript SDK's
  //    JSON bulk format and applies it one operation at a time; the .NET SDK sends HybridRow and expects the
  //    batch to be atomic. See transactional-batch.js.
  async function transactionalBatch(req, account) {
    const m = DOCS.exec(pathOf(req));
    if (!m || req.method !== "POST" || !isTrue(req, "x-ms-cosmos-is-batch-request")) return undefined;
    const body = await readBytes(req);
    const coll = collectionOf(account, m);
    if (!coll.read()) return { status: 404, body: NOT_FOUND };
    let operations;
    try {
      operations = batch.parseBatch(body, header(req, "x-ms-documentdb-partitionkey"));
    } catch (err) {
      return { status: 400, body: { code: "BadRequest", message: String(err.message) } };
    }
    const keys = pkPathOf(coll);
    return batch.applyBatch(coll, operations, documentOperations, doc => valueAt(doc, keys));
  },
  // 1. Query-plan request (header x-ms-cosmos-is-query-plan-request): the package would run it as a query.
  async function queryPlan(req) {
    if (req.method === "POST" && isTrue(req, "x-ms-cosmos-is-query-plan-request")) {
      await readBody(req);
      return { status: 200, body: trivialQueryPlan() };
    }
    return undefined;
  },
  // 2. Document query with a partition key header: the package ignores the header and insists on the key in the
  //    WHERE clause; here the query runs over that partition's documents only.
  async function partitionQuery(req, account) {
    const m = DOCS.exec(pathOf(req));
    if (!m || req.method !== "POST" || !(isTrue(req, "x-ms-documentdb-isquery") || /query\+json/.test(header(req, "content-type") || ""))) return undefined;
    const body = JSON.parse(await readBody(req));
    const coll = collectionOf(account, m);
    if (!coll.read()) return { status: 404, body: NOT_FOUND };
    const pk = partitionKeyValue(req);
    const keys = pkPathOf(coll);
    const docs = allDocs(coll).filter(d => pk === undefined || valueAt(d, keys) === pk);
    const maxItemCount = Number(header(req, "x-ms-max-item-count")) > 0 ? Number(header(req, "x-ms-max-item-count")) : undefined;
    const contHeader = header(req, "x-ms-continuation");
    let result;
    try {
      result = compileQuery(body.query).exec(docs, {
        parameters: body.parameters,
        udf: coll.userDefinedFunctions.functions,
        maxItemCount,
        continuation: contHeader ? JSON.parse(contHeader) : undefined,
        compositeIndexes: (coll.read().indexingPolicy || {}).compositeIndexes || [],
      });
    } catch (err) {
      return { status: 400, body: { code: "BadRequest", message: String(err.message) } };
    }
    const headers = { "x-ms-item-count": String(result.result.length) };
    if (result.continuation) headers["x-ms-continuation"] = JSON.stringify(result.continuation);
    return { status: 200, headers, body: { _rid: coll.read()._rid, Documents: result.result, _count: result.result.length } };
  },
  // 3. Change feed (GET .../docs with "A-IM: Incremental feed"): the package returns everything once, then 304 forever.
  //    Continuation is the ETag = LSN of the last returned document; "If-None-Match: *" means "from now".
  async function changeFeed(req, account) {
    const m = DOCS.exec(pathOf(req));
    if (!m || req.method !== "GET" || !/incremental feed/i.test(header(req, "a-im") || "")) return undefined;
    const coll = collectionOf(account, m);
    if (!coll.read()) return { status: 404, body: NOT_FOUND };
    const inm = header(req, "if-none-match");
    const since = inm === "*" ? lastLsn : Number(String(inm || "0").replace(/\D/g, "")) || 0;
    // ChangeFeedStartFrom.Time(t) sends If-Modified-Since (and no If-None-Match): start at documents with _ts >= t
    const ims = !inm && header(req, "if-modified-since") ? Date.parse(header(req, "if-modified-since")) / 1000 : undefined;
    const pk = partitionKeyValue(req); // FeedRange.FromPartitionKey; EPK / pkrange-id headers cover the single range
    const keys = pkPathOf(coll);
    const maxItemCount = Number(header(req, "x-ms-max-item-count")) > 0 ? Number(header(req, "x-ms-max-item-count")) : 100;
    const changed = allDocs(coll)
      .filter(d => lsnOf.get(d) > since && (ims === undefined || d._ts >= ims) && (pk === undefined || valueAt(d, keys) === pk))
      .sort((a, b) => lsnOf.get(a) - lsnOf.get(b))
      .slice(0, maxItemCount);
    if (changed.length === 0) return { status: 304, headers: { etag: `"${since}"`, "x-ms-item-count": "0" }, body: null };
    const docs = changed.map(d => ({ ...d, _lsn: lsnOf.get(d) }));
    return {
      status: 200,
      headers: { etag: `"${docs[docs.length - 1]._lsn}"`, "x-ms-item-count": String(docs.length) },
      body: { _rid: coll.read()._rid, Documents: docs, _count: docs.length },
    };
  },
  // 4. Point read: the package throws (-> 500) when the id is missing in that partition; answer 404.
  //    Also honour If-None-Match on a point read (304 when the ETag still matches).
  async function pointRead(req, account) {
    const m = DOC.exec(pathOf(req));
    if (!m || req.method !== "GET") return undefined;
    const coll = collectionOf(account, m);
    if (!coll.read()) return { status: 404, body: NOT_FOUND };
    const pk = partitionKeyValue(req);
    const doc = coll.document(m[3], pk === undefined ? m[3] : pk).read();
    if (!doc) return { status: 404, body: NOT_FOUND };
    if (header(req, "if-none-match") && header(req, "if-none-match") === doc._etag) return { status: 304, headers: { etag: doc._etag }, body: null };
    return undefined;
  },
];

function send(req, res, { status, body, headers = {} }, keepAlive) {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  const binary = Buffer.isBuffer(body);
  if (body && body._etag && !res.getHeader("etag")) res.setHeader("etag", body._etag);
  res.setHeader("content-type", binary ? "application/octet-stream" : "application/json");
  res.setHeader("x-ms-activity-id", randomUUID());
  res.setHeader("x-ms-request-charge", "1");
  res.setHeader("connection", keepAlive ? "keep-alive" : "close");
  res.end(body == null ? "" : binary ? body : JSON.stringify(body));
}

// The package's own request loop (lib/index.js), kept so that unfixed requests behave exactly as upstream.
async function packageHandler(account, req, res) {
  const found = route(req);
  if (!found) return { status: 400, body: { message: "no route" } };
  const [params, handler] = found;
  let body;
  try {
    body = await handler(account, req, res, params);
  } catch (err) {
    body = { message: err.message };
    res.statusCode = 500;
  }
  if (res.statusCode > 399 && body && !body.message) body.message = "";
  let status = res.statusCode;
  const headers = {};
  if (req.headers["a-im"] && status === 200) {
    // upstream behaviour for incremental reads of other feeds (pkranges): 304 once the client has an ETag
    if (req.headers["if-none-match"]) status = 304;
    headers.etag = "1";
  }
  return { status, body, headers };
}

function createServer({ ssl = true, keepAlive = true, log = false } = {}) {
  let account;
  const onRequest = async (req, res) => {
    try {
      let answer;
      for (const fix of fixes) {
        answer = await fix(req, account);
        if (answer) {
          if (log) console.log(`[layer:${fix.name}]`, req.method, req.url, answer.status, JSON.stringify(req.headers));
          break;
        }
      }
      if (!answer) {
        answer = await packageHandler(account, req, res);
        if (log) console.log("[package]", req.method, req.url, answer.status, JSON.stringify(req.headers));
      }
      send(req, res, answer, keepAlive);
    } catch (err) {
      console.error(err);
      if (!res.headersSent) send(req, res, { status: 500, body: { message: String(err.message) } }, keepAlive);
    }
  };
  const server = ssl
    ? https.createServer({ cert: fs.readFileSync(path.join(PKG, "cert.pem")), key: fs.readFileSync(path.join(PKG, "key.pem")) }, onRequest)
    : http.createServer(onRequest);
  server.on("listening", () => {
    const { address, port } = server.address();
    account = new Account(address, port);
    if (!ssl) {
      // advertise http:// endpoints when running without TLS
      const meta = account.read();
      for (const loc of [...meta.writableLocations, ...meta.readableLocations]) loc.databaseAccountEndpoint = `http://${address}:${port}/`;
    }
  });
  return server;
}
module.exports = { createServer };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
  const ssl = !argv.includes("--no-ssl");
  const server = createServer({ ssl, log: argv.includes("--log") });
  server.listen(Number(opt("-p", opt("--port", "8081"))), opt("--host", "127.0.0.1"), () => {
    const { address, port } = server.address();
    console.log(`Ready to accept HTTP${ssl ? "S" : ""} connections at ${address}:${port}`);
  });
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 1000).unref();
  process.on("SIGTERM", stop).on("SIGINT", stop);
}
