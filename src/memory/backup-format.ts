import { ValidationError } from '../errors.js';
import type { StoredVector } from '../search/scope-index.js';
import { contentHash } from '../store/ids.js';
import type { HistoryRecord, MemoryRecord, MessageContext } from '../store/records.js';
import type { DeletedHistory, ScanRow } from '../store/store.js';
import { describe, isPlainObject } from '../validate.js';
import { jsonCopy } from '../validate-json.js';
import { fromBase64, toBase64 } from './base64.js';
import { expirationDate } from './expiry.js';
import * as input from './input.js';

/**
 * The export format: JSON lines, a header first, then one line per memory (its record's fields, `history` and,
 * when exported with vectors, `vector`: base64 of the stored bytes, float32 little-endian or int8 codes with their
 * `scale`). After the memories, a line per deleted memory whose history outlives it: `{ id, deleted: true, history }`.
 * Version 1; a reader refuses versions it does not know.
 */
export const FORMAT = 'agentmem-web/export';
export const VERSION = 1;

export type BackupEncoding = 'float32' | 'int8';

export interface BackupHeader {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly modelId: string;
  readonly dimensions: number;
  readonly encoding: BackupEncoding;
  /** Memories in the export when it started. */
  readonly count: number;
  readonly exportedAt: string;
}

/** A memory line, read and checked. `vector` is absent when the export had none. */
export interface BackupEntry {
  readonly memory: MemoryRecord;
  readonly history: HistoryRecord[];
  readonly vector?: StoredVector;
}

const HEADER_KEYS = ['format', 'version', 'modelId', 'dimensions', 'encoding', 'count', 'exportedAt'];
const MEMORY_KEYS = [
  'id',
  'text',
  'hash',
  'userId',
  'agentId',
  'runId',
  'metadata',
  'context',
  'expirationDate',
  'createdAt',
  'updatedAt',
  'history',
  'vector',
  'scale',
];
const DELETED_KEYS = ['id', 'deleted', 'history'];
const HISTORY_KEYS = ['id', 'memoryId', 'previousValue', 'newValue', 'event', 'createdAt'];

export function headerLine(header: BackupHeader): string {
  return `${JSON.stringify(header)}\n`;
}

export function memoryLine(row: ScanRow): string {
  const { vector } = row;
  const m = row.memory;
  // One key order whatever the store kept, so two exports of the same memories are the same text.
  const line = JSON.stringify({
    id: m.id,
    text: m.text,
    hash: m.hash,
    userId: m.userId,
    agentId: m.agentId,
    runId: m.runId,
    metadata: m.metadata,
    context: m.context,
    expirationDate: m.expirationDate,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    history: row.history.map(historyFields),
  });
  if (vector === undefined) return `${line}\n`;
  // Base64 needs no JSON escaping: appended as is, JSON.stringify does not scan its ~2 KB again.
  const head = line.slice(0, -1);
  if (vector instanceof Float32Array) return `${head},"vector":"${toBase64(bytes(vector))}"}\n`;
  return `${head},"vector":"${toBase64(bytes(vector.q))}","scale":${JSON.stringify(vector.scale)}}\n`;
}

export function deletedLine(entry: DeletedHistory): string {
  return `${JSON.stringify({ id: entry.memoryId, deleted: true, history: entry.history.map(historyFields) })}\n`;
}

function historyFields(h: HistoryRecord) {
  return {
    id: h.id,
    memoryId: h.memoryId,
    previousValue: h.previousValue,
    newValue: h.newValue,
    event: h.event,
    createdAt: h.createdAt,
  };
}

function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Line 1, checked: a ValidationError names what is wrong. */
export function parseHeader(line: string | undefined): BackupHeader {
  if (line === undefined) throw lineError(1, 'a header line', 'an empty source');
  const value = parse(line, 1);
  known(value, HEADER_KEYS, 1);
  const { format, version, modelId, dimensions, encoding, count, exportedAt } = value;
  if (format !== FORMAT) throw lineError(1, `\`format\` to be '${FORMAT}'`, describe(format));
  if (version !== VERSION) throw lineError(1, `\`version\` to be ${VERSION} (this library's)`, describe(version));
  if (typeof modelId !== 'string' || modelId.length === 0)
    throw lineError(1, '`modelId` to be a non-empty string', describe(modelId));
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1)
    throw lineError(1, '`dimensions` to be a positive integer', describe(dimensions));
  if (encoding !== 'float32' && encoding !== 'int8')
    throw lineError(1, "`encoding` to be 'float32' or 'int8'", describe(encoding));
  if (!Number.isInteger(count) || (count as number) < 0)
    throw lineError(1, '`count` to be a non-negative integer', describe(count));
  if (typeof exportedAt !== 'string') throw lineError(1, '`exportedAt` to be a string', describe(exportedAt));
  return value as unknown as BackupHeader;
}

/** A memory line (or a deleted memory's history), checked whole before anything of it is used. */
export function parseEntry(line: string, n: number, header: BackupHeader): BackupEntry | DeletedHistory {
  const value = parse(line, n);
  if (value['deleted'] !== undefined) return deletedOf(value, n);
  known(value, MEMORY_KEYS, n);
  const at = (field: string) => `line ${n}: \`${field}\``;
  const text = checked(n, () => input.text(at('text'), value['text']));
  const id = typeof value['id'] === 'string' && value['id'].length > 0 ? value['id'] : undefined;
  if (id === undefined) throw lineError(n, '`id` to be a non-empty string', describe(value['id']));
  const hash = contentHash(text);
  if (value['hash'] !== hash) throw lineError(n, '`hash` to be the SHA-256 of `text`', describe(value['hash']));
  const scope: Record<string, string> = {};
  for (const field of ['userId', 'agentId', 'runId'] as const) {
    const v = value[field];
    if (v === undefined) continue;
    const idValue = checked(n, () => input.scopeId(at(field), v));
    if (idValue !== v) throw lineError(n, `\`${field}\` to be trimmed`, describe(v));
    scope[field] = idValue;
  }
  if (!isPlainObject(value['metadata']))
    throw lineError(n, '`metadata` to be a plain object', describe(value['metadata']));
  const metadata = checked(n, () => jsonCopy(at('metadata'), value['metadata'] as Record<string, unknown>));
  const context = contextOf(value['context'], n);
  const expiry = value['expirationDate'];
  const expires = expiry === undefined ? undefined : checked(n, () => expirationDate(at('expirationDate'), expiry));
  const createdAt = instant(value['createdAt'], 'createdAt', n);
  const updatedAt = instant(value['updatedAt'], 'updatedAt', n);
  const memory: MemoryRecord = {
    id,
    text,
    hash,
    ...scope,
    metadata,
    ...(context ? { context } : {}),
    ...(expires === undefined ? {} : { expirationDate: expires }),
    createdAt,
    updatedAt,
  };
  const history = historyOf(value['history'], id, n);
  const vector = vectorOf(value['vector'], value['scale'], header, n);
  return { memory, history, ...(vector ? { vector } : {}) };
}

function deletedOf(value: Record<string, unknown>, n: number): DeletedHistory {
  known(value, DELETED_KEYS, n);
  if (value['deleted'] !== true) throw lineError(n, '`deleted` to be true', describe(value['deleted']));
  const id = value['id'];
  if (typeof id !== 'string' || id.length === 0) throw lineError(n, '`id` to be a non-empty string', describe(id));
  return { memoryId: id, history: historyOf(value['history'], id, n) };
}

function parse(line: string, n: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ValidationError(`Expected line ${n} of the import to be JSON, got ${describe(line.slice(0, 80))}`, {
      cause: error,
    });
  }
  if (!isPlainObject(value)) throw lineError(n, 'a JSON object', describe(value));
  return value;
}

function known(value: Record<string, unknown>, keys: readonly string[], n: number): void {
  for (const key of Object.keys(value))
    if (!keys.includes(key))
      throw lineError(n, `only the keys ${keys.map((k) => `\`${k}\``).join(', ')}`, `\`${key}\``);
}

function contextOf(value: unknown, n: number): MessageContext | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw lineError(n, '`context` to be an object', describe(value));
  known(value, ['before', 'after'], n);
  const { before, after } = value;
  if ((before !== undefined && typeof before !== 'string') || (after !== undefined && typeof after !== 'string'))
    throw lineError(n, '`context.before` and `context.after` to be strings', describe(value));
  return { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

function instant(value: unknown, field: string, n: number): string {
  if (typeof value !== 'string' || !Number.isFinite(Date.parse(value)))
    throw lineError(n, `\`${field}\` to be an ISO 8601 date-time`, describe(value));
  return value;
}

function historyOf(value: unknown, memoryId: string, n: number): HistoryRecord[] {
  if (!Array.isArray(value) || value.length === 0)
    throw lineError(n, '`history` to be a non-empty array of history rows', describe(value));
  return value.map((row: unknown, i) => {
    const where = `\`history[${i}]\``;
    if (!isPlainObject(row)) throw lineError(n, `${where} to be an object`, describe(row));
    known(row, HISTORY_KEYS, n);
    const { id, previousValue, newValue, event, createdAt } = row;
    if (typeof id !== 'string' || id.length === 0) throw lineError(n, `${where}.id to be a string`, describe(id));
    if (row['memoryId'] !== memoryId) throw lineError(n, `${where}.memoryId to be \`${memoryId}\``, describe(row));
    const text = (v: unknown) => v === null || typeof v === 'string';
    if (!text(previousValue) || !text(newValue))
      throw lineError(n, `${where}.previousValue and .newValue to be strings or null`, describe(row));
    if (event !== 'ADD' && event !== 'UPDATE' && event !== 'DELETE')
      throw lineError(n, `${where}.event to be 'ADD', 'UPDATE' or 'DELETE'`, describe(event));
    return {
      id,
      memoryId,
      previousValue: previousValue,
      newValue: newValue,
      event,
      createdAt: instant(createdAt, `history[${i}].createdAt`, n),
    };
  });
}

function vectorOf(value: unknown, scale: unknown, header: BackupHeader, n: number): StoredVector | undefined {
  if (value === undefined) {
    if (scale !== undefined) throw lineError(n, '`scale` only beside a `vector`', describe(scale));
    return undefined;
  }
  const raw = typeof value === 'string' ? fromBase64(value) : undefined;
  if (!raw) throw lineError(n, '`vector` to be base64', typeof value === 'string' ? 'other text' : describe(value));
  const d = header.dimensions;
  if (header.encoding === 'float32') {
    if (raw.length !== d * 4)
      throw lineError(n, `\`vector\` to hold ${d} float32 values (the header's dimensions)`, `${raw.length} bytes`);
    if (scale !== undefined) throw lineError(n, 'no `scale` for a float32 vector', describe(scale));
    const floats = new Float32Array(raw.buffer, raw.byteOffset, d);
    if (!allFinite(floats)) throw lineError(n, '`vector` to hold finite numbers', 'NaN or Infinity');
    return floats;
  }
  if (raw.length !== d)
    throw lineError(n, `\`vector\` to hold ${d} int8 codes (the header's dimensions)`, `${raw.length} bytes`);
  if (typeof scale !== 'number' || !Number.isFinite(scale))
    throw lineError(n, '`scale` to be a finite number for an int8 vector', describe(scale));
  return { q: new Int8Array(raw.buffer, raw.byteOffset, d), scale };
}

/** x * 0 is 0 for every finite x and NaN for NaN and ±Infinity: one multiply-add per value, no branch. */
function allFinite(values: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * 0;
  return sum === 0;
}

/** Runs an input check, naming the line in its message. */
function checked<T>(n: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ValidationError && !error.message.includes(`line ${n}`))
      throw new ValidationError(`Line ${n} of the import: ${error.message}`, { cause: error });
    throw error;
  }
}

export function lineError(n: number, wanted: string, got: string): ValidationError {
  return new ValidationError(`Expected line ${n} of the import to have ${wanted}, got ${got}`);
}
