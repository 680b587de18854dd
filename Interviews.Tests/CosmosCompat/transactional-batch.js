// TransactionalBatch for the compat server: the .NET SDK sends a batch as a HybridRow RecordIO stream (one
// BatchOperation row per operation) and parses the answer as one (one BatchResult row per operation). This
// module decodes the request, applies the operations atomically within the batch's partition with the
// package's own document operations (so ETags, _ts and the change feed's LSNs are those of single writes),
// and encodes the answer. Test-only; the format is the SDK's (Microsoft.Azure.Cosmos/src/Batch/
// HybridRowBatchSchemas.json) over HybridRow's row and RecordIO layout.
"use strict";

// ---- HybridRow primitives ----
const HYBRID_ROW_V1 = 0x81;
// Schema ids: the RecordIO system schemas and the batch API's two schemas.
const SEGMENT_SCHEMA = 2147473648;
const RECORD_SCHEMA = 2147473649;
const BATCH_OPERATION_SCHEMA = 2145473648;
const BATCH_RESULT_SCHEMA = 2145473649;
// Layout codes of the sparse values this schema pair uses.
const CODE = { Null: 1, BooleanFalse: 2, Boolean: 3, Int32: 7, Int64: 8, UInt32: 11, Float64: 16, Utf8: 20, Binary: 21 };

// A layout's columns in the order the layout compiler places them: fixed, then variable, then sparse.
// Every fixed and variable column here is nullable, so each has a presence bit in that order; a sparse
// column's path is written as its token: its 1-based position among all columns (token 0 is "").
const BATCH_OPERATION = {
  fixed: ["operationType", "resourceType"],
  variable: ["partitionKey", "effectivePartitionKey", "id", "binaryId", "resourceBody"],
  sparse: ["indexingDirective", "ifMatch", "ifNoneMatch", "timeToLiveInSeconds", "minimalReturnPreference"],
};
const BATCH_RESULT = {
  fixed: ["statusCode", "subStatusCode"],
  variable: ["eTag", "resourceBody"],
  sparse: ["retryAfterMilliseconds", "requestCharge"],
};
const columnsOf = layout => [...layout.fixed, ...layout.variable, ...layout.sparse];
const tokenOf = (layout, path) => columnsOf(layout).indexOf(path) + 1;

function readVarUInt(buffer, offset) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buffer[offset++];
    if (byte === undefined) throw new Error("HybridRow: truncated varuint");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, offset };
    shift += 7;
  }
}

function varUInt(value) {
  const bytes = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

function int32(value) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(value);
  return b;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads one row of `layout` (its schema id already checked): {column: value}; utf8 as string, binary as Buffer. */
function readRow(row, layout) {
  const columns = columnsOf(layout);
  const bitmaskBytes = Math.ceil((layout.fixed.length + layout.variable.length) / 8);
  const present = bit => (row[5 + (bit >> 3)] & (1 << (bit & 7))) !== 0;
  const values = {};
  let offset = 5 + bitmaskBytes;
  layout.fixed.forEach((name, i) => {
    if (present(i)) values[name] = row.readInt32LE(offset); // both fixed columns of both schemas are int32
    offset += 4;
  });
  layout.variable.forEach((name, i) => {
    if (!present(layout.fixed.length + i)) return;
    const length = readVarUInt(row, offset);
    const bytes = row.subarray(length.offset, length.offset + length.value);
    values[name] = name === "partitionKey" || name === "id" || name === "eTag" ? bytes.toString("utf8") : Buffer.from(bytes);
    offset = length.offset + length.value;
  });
  while (offset < row.length) {
    const code = row[offset++];
    const path = readVarUInt(row, offset);
    offset = path.offset;
    let name;
    if (path.value <= columns.length) {
      name = columns[path.value - 1];
    } else {
      const pathLength = path.value - (columns.length + 1);
      name = row.subarray(offset, offset + pathLength).toString("utf8");
      offset += pathLength;
    }
    switch (code) {
      case CODE.Null: values[name] = null; break;
      case CODE.BooleanFalse: values[name] = false; break;
      case CODE.Boolean: values[name] = true; break;
      case CODE.Int32: values[name] = row.readInt32LE(offset); offset += 4; break;
      case CODE.UInt32: values[name] = row.readUInt32LE(offset); offset += 4; break;
      case CODE.Int64: values[name] = Number(row.readBigInt64LE(offset)); offset += 8; break;
      case CODE.Float64: values[name] = row.readDoubleLE(offset); offset += 8; break;
      case CODE.Utf8:
      case CODE.Binary: {
        const length = readVarUInt(row, offset);
        const bytes = row.subarray(length.offset, length.offset + length.value);
        values[name] = code === CODE.Utf8 ? bytes.toString("utf8") : Buffer.from(bytes);
        offset = length.offset + length.value;
        break;
      }
      default:
        throw new Error(`HybridRow: sparse layout code ${code} (column ${name}) is not supported here`);
    }
  }
  return values;
}

/** The rows (Buffers) of a RecordIO stream: segment headers are skipped, each record's CRC-32 is checked. */
function readRecords(stream) {
  const rows = [];
  let offset = 0;
  while (offset < stream.length) {
    if (stream[offset] !== HYBRID_ROW_V1) throw new Error(`RecordIO: expected a HybridRow v1 header at ${offset}`);
    const schema = stream.readInt32LE(offset + 1);
    if (schema === SEGMENT_SCHEMA) {
      // Segment: one presence byte, then its own length (int32), which covers the whole header row.
      offset += stream.readInt32LE(offset + 6);
    } else if (schema === RECORD_SCHEMA) {
      // Record: length (int32) and crc32 (uint32), both non-nullable: no presence bits.
      const length = stream.readInt32LE(offset + 5);
      const crc = stream.readUInt32LE(offset + 9);
      const row = stream.subarray(offset + 13, offset + 13 + length);
      if (row.length !== length) throw new Error("RecordIO: truncated record");
      if (crc32(row) !== crc) throw new Error("RecordIO: a record's CRC-32 does not match");
      rows.push(row);
      offset += 13 + length;
    } else {
      throw new Error(`RecordIO: unexpected schema id ${schema} at ${offset}`);
    }
  }
  return rows;
}

function header(schemaId) {
  return Buffer.concat([Buffer.from([HYBRID_ROW_V1]), int32(schemaId)]);
}

/** One BatchResult row: {statusCode, subStatusCode?, eTag?, resourceBody? (object), requestCharge}. */
function writeResult(result) {
  const eTag = result.eTag === undefined ? null : Buffer.from(String(result.eTag), "utf8");
  const body = result.resourceBody === undefined ? null : Buffer.from(JSON.stringify(result.resourceBody), "utf8");
  const bits = 0b11 | (eTag ? 0b100 : 0) | (body ? 0b1000 : 0);
  const charge = Buffer.alloc(8);
  charge.writeDoubleLE(result.requestCharge);
  return Buffer.concat([
    header(BATCH_RESULT_SCHEMA),
    Buffer.from([bits]),
    int32(result.statusCode),
    int32(result.subStatusCode || 0),
    ...(eTag ? [varUInt(eTag.length), eTag] : []),
    ...(body ? [varUInt(body.length), body] : []),
    Buffer.from([CODE.Float64]),
    varUInt(tokenOf(BATCH_RESULT, "requestCharge")),
    charge,
  ]);
}

/** A RecordIO stream of one segment holding `rows`. */
function writeRecords(rows) {
  const segment = Buffer.concat([header(SEGMENT_SCHEMA), Buffer.from([0b1]), int32(10)]);
  const records = rows.flatMap(row => {
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(row));
    return [header(RECORD_SCHEMA), int32(row.length), crc, row];
  });
  return Buffer.concat([segment, ...records]);
}

// ---- the batch itself ----
// Cosmos DB's OperationType values that a TransactionalBatch sends.
const OPERATION = { Create: 0, Patch: 1, Read: 2, Delete: 4, Replace: 5, Upsert: 20 };

/** The batch's operations, as the package's document operations take them. */
function parseBatch(body, batchPartitionKey) {
  return readRecords(body).map(row => {
    if (row[0] !== HYBRID_ROW_V1 || row.readInt32LE(1) !== BATCH_OPERATION_SCHEMA) throw new Error("batch: a record is not a BatchOperation row");
    const op = readRow(row, BATCH_OPERATION);
    return {
      operationType: op.operationType,
      id: op.id,
      partitionKey: op.partitionKey !== undefined ? op.partitionKey : batchPartitionKey,
      resourceBody: op.resourceBody ? JSON.parse(op.resourceBody.toString("utf8")) : undefined,
      ifMatch: op.ifMatch,
      ifNoneMatch: op.ifNoneMatch,
      minimalReturnPreference: op.minimalReturnPreference === true,
    };
  });
}

/**
 * Applies `operations` in order within one partition, all or nothing: the first that fails undoes the
 * ones before it, answers its own status and 424 (failed dependency) for every other, with 207 overall.
 * Node runs this without yielding, so no other request sees a half-applied batch.
 */
function applyBatch(collection, operations, documentOperations, partitionKeyOf) {
  const items = collection.documents;
  const saved = { data: new Map(items._data), index: new Map(items._index), ridCount: items._ridCount };
  const results = [];
  let failedAt = -1;
  for (let i = 0; i < operations.length && failedAt < 0; i++) {
    const op = operations[i];
    let outcome;
    if (op.ifNoneMatch !== undefined) {
      outcome = { statusCode: 400, body: { code: "BadRequest", message: "If-None-Match in a batch is not supported by the compat server." } };
    } else if (op.resourceBody && partitionKeyOf(op.resourceBody) !== JSON.parse(op.partitionKey)[0]) {
      outcome = { statusCode: 400, body: { code: "BadRequest", message: "PartitionKey extracted from document doesn't match the one specified in the header." } };
    } else {
      switch (op.operationType) {
        case OPERATION.Create: outcome = documentOperations.createOperation(collection, op); break;
        case OPERATION.Upsert: outcome = documentOperations.upsertOperation(collection, op); break;
        case OPERATION.Replace: outcome = documentOperations.replaceOperation(collection, op); break;
        case OPERATION.Delete: outcome = documentOperations.deleteOperation(collection, op); break;
        case OPERATION.Read: outcome = documentOperations.readOperation(collection, op); break;
        default: outcome = { statusCode: 400, body: { code: "BadRequest", message: `Operation type ${op.operationType} is not supported in a batch by the compat server.` } };
      }
    }
    if (outcome.statusCode >= 400) failedAt = i;
    results.push(outcome);
  }
  if (failedAt >= 0) {
    items._data = saved.data;
    items._index = saved.index;
    items._ridCount = saved.ridCount;
    const answer = operations.map((_, i) => (i === failedAt
      ? { statusCode: results[i].statusCode, resourceBody: results[i].body, requestCharge: 1 }
      : { statusCode: 424, requestCharge: 0 }));
    return { status: 207, body: writeRecords(answer.map(writeResult)) };
  }
  const answer = results.map((outcome, i) => {
    const stored = outcome.body && outcome.body._etag ? outcome.body : undefined;
    const returnsBody = operations[i].operationType === OPERATION.Read || !operations[i].minimalReturnPreference;
    return {
      statusCode: outcome.statusCode,
      eTag: stored ? stored._etag : undefined,
      resourceBody: stored && returnsBody ? stored : undefined,
      requestCharge: 1,
    };
  });
  return { status: 200, body: writeRecords(answer.map(writeResult)) };
}

module.exports = { parseBatch, applyBatch, readRecords, readRow, writeRecords, writeResult, BATCH_RESULT, crc32 };
