/**
 * Reads a TF.js graph model (`model.json` + binary weight shards) into plain nodes and typed constant tensors.
 *
 * model.json is a GraphDef written as protobuf JSON by tensorflowjs_converter. Two encodings are in the wild and
 * both are handled: older converters (like the one that produced USE Lite) write string attrs as byte arrays
 * (`"s": [78, 72, 87, 67]` = "NHWC") and types as enum numbers (`1`); newer ones write base64 strings and
 * `"DT_FLOAT"`. int64 fields are decimal strings either way.
 *
 * Constant values come from the weights manifest, concatenated across shards in manifest order. The manifest
 * stores int64 constants as int32 (TF.js has no int64), so a Const's real dtype is taken from its node attr.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type TfDtype = 'float32' | 'int32' | 'int64' | 'bool';

/** A constant tensor. int32 and int64 values are both held as bigint (ONNX side makes every integer int64). */
export type TfTensor =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'int32' | 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array }
  | { readonly dtype: 'bool'; readonly shape: readonly number[]; readonly data: Uint8Array };

/** A decoded attr value. Lists become arrays; `type` attrs become TfDtype names (or `DT_<n>` when unknown). */
export type TfAttr = number | boolean | string | readonly number[] | readonly string[] | readonly boolean[];

export interface TfNode {
  readonly name: string;
  readonly op: string;
  /** Input tensor names as written (`node`, `node:1`); control inputs (`^node`) are dropped. */
  readonly inputs: readonly string[];
  readonly attrs: ReadonlyMap<string, TfAttr>;
}

export interface TfGraph {
  /** Nodes in model.json order. */
  readonly nodes: readonly TfNode[];
  readonly byName: ReadonlyMap<string, TfNode>;
  /** Const node name -> value. */
  readonly constants: ReadonlyMap<string, TfTensor>;
}

/** TF DataType enum numbers and names (tensorflow/core/framework/types.proto) for the dtypes we meet. */
const DTYPES: Record<string, TfDtype> = {
  '1': 'float32',
  DT_FLOAT: 'float32',
  '3': 'int32',
  DT_INT32: 'int32',
  '9': 'int64',
  DT_INT64: 'int64',
  '10': 'bool',
  DT_BOOL: 'bool',
};

function dtypeOf(raw: unknown): string {
  return DTYPES[String(raw)] ?? `DT_${String(raw)}`;
}

/** Protobuf JSON `bytes`: a byte array (old converters) or base64 (new ones). */
function bytesToString(raw: unknown): string {
  if (Array.isArray(raw)) return new TextDecoder().decode(Uint8Array.from(raw as number[]));
  if (typeof raw === 'string') return new TextDecoder().decode(Buffer.from(raw, 'base64'));
  throw new Error(`Expected a string attr as bytes or base64, got ${JSON.stringify(raw)}`);
}

interface RawAttrList {
  s?: unknown[];
  i?: Array<string | number>;
  f?: number[];
  b?: boolean[];
  type?: unknown[];
}

interface RawAttr {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: unknown;
  type?: unknown;
  list?: RawAttrList;
  tensor?: unknown;
  shape?: unknown;
}

function decodeAttr(raw: RawAttr): TfAttr | undefined {
  if (raw.i !== undefined) return Number(raw.i);
  if (raw.f !== undefined) return Number(raw.f);
  if (raw.b !== undefined) return Boolean(raw.b);
  if (raw.s !== undefined) return bytesToString(raw.s);
  if (raw.type !== undefined) return dtypeOf(raw.type);
  if (raw.list !== undefined) {
    const l = raw.list;
    // Exactly one list kind is filled; protobuf JSON writes the empty ones as [].
    if (l.i?.length) return l.i.map(Number);
    if (l.f?.length) return l.f.map(Number);
    if (l.b?.length) return l.b.map(Boolean);
    if (l.s?.length) return l.s.map(bytesToString);
    if (l.type?.length) return l.type.map(dtypeOf);
    return [];
  }
  return undefined; // tensor/shape attrs: read where needed (Const value, Placeholder shape)
}

interface RawNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, RawAttr>;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

interface ModelJson {
  modelTopology: { node: RawNode[] };
  weightsManifest: Array<{ paths: string[]; weights: ManifestEntry[] }>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads one manifest entry's bytes into a tensor of the Const node's real dtype. */
function decodeWeight(entry: ManifestEntry, bytes: Uint8Array, dtype: TfDtype): TfTensor {
  const n = elementCount(entry.shape);
  const copy = new Uint8Array(bytes); // an aligned copy (Buffer#slice would share the shard buffer)
  if (entry.dtype === 'float32') {
    if (dtype !== 'float32') throw new Error(`Weight ${entry.name}: manifest float32 but node dtype ${dtype}`);
    return { dtype, shape: entry.shape, data: new Float32Array(copy.buffer, 0, n) };
  }
  if (entry.dtype === 'int32') {
    const ints = new Int32Array(copy.buffer, 0, n);
    if (dtype === 'int32' || dtype === 'int64')
      return { dtype, shape: entry.shape, data: BigInt64Array.from(ints, (v) => BigInt(v)) };
    throw new Error(`Weight ${entry.name}: manifest int32 but node dtype ${dtype}`);
  }
  if (entry.dtype === 'bool') return { dtype: 'bool', shape: entry.shape, data: new Uint8Array(copy.buffer, 0, n) };
  throw new Error(`Weight ${entry.name}: unsupported manifest dtype ${entry.dtype}`);
}

/** A Const whose value is written inline in model.json (small constants in some converter versions). */
function inlineTensor(name: string, raw: Record<string, unknown>, dtype: TfDtype): TfTensor {
  const dims = ((raw['tensorShape'] as { dim?: Array<{ size: string | number }> } | undefined)?.dim ?? []).map((d) =>
    Number(d.size),
  );
  const n = elementCount(dims);
  const pick = (key: string): unknown[] => (raw[key] as unknown[] | undefined) ?? [];
  const fill = <T>(values: T[], zero: T): T[] =>
    values.length === n ? values : Array.from({ length: n }, (_, k) => values[Math.min(k, values.length - 1)] ?? zero);
  if (dtype === 'float32')
    return { dtype, shape: dims, data: Float32Array.from(fill(pick('floatVal').map(Number), 0)) };
  if (dtype === 'bool')
    return {
      dtype,
      shape: dims,
      data: Uint8Array.from(
        fill(
          pick('boolVal').map((v) => (v ? 1 : 0)),
          0,
        ),
      ),
    };
  const ints = dtype === 'int64' ? pick('int64Val') : pick('intVal');
  if (ints.length === 0 && n > 0) throw new Error(`Const ${name} has no manifest entry and no inline values`);
  return {
    dtype,
    shape: dims,
    data: BigInt64Array.from(
      fill(
        ints.map((v) => BigInt(v as string)),
        0n,
      ),
    ),
  };
}

/** Loads `model.json` and its shards from disk. */
export async function readTfjsGraph(modelJsonPath: string): Promise<TfGraph> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  const dir = dirname(modelJsonPath);

  const nodes: TfNode[] = json.modelTopology.node.map((raw) => {
    const attrs = new Map<string, TfAttr>();
    for (const [key, value] of Object.entries(raw.attr ?? {})) {
      const decoded = decodeAttr(value);
      if (decoded !== undefined) attrs.set(key, decoded);
    }
    return { name: raw.name, op: raw.op, inputs: (raw.input ?? []).filter((i) => !i.startsWith('^')), attrs };
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const rawByName = new Map(json.modelTopology.node.map((n) => [n.name, n]));

  const constants = new Map<string, TfTensor>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      if (entry.quantization !== undefined)
        throw new Error(`Weight ${entry.name} is quantized; quantized TF.js weights are not supported`);
      const size = elementCount(entry.shape) * (BYTES_PER_ELEMENT[entry.dtype] ?? Number.NaN);
      if (!Number.isFinite(size)) throw new Error(`Weight ${entry.name}: unsupported manifest dtype ${entry.dtype}`);
      if (offset + size > buffer.length)
        throw new Error(`Weight ${entry.name} runs past the end of the shards (${buffer.length} bytes)`);
      // The Const node's `dtype` attr is the real type (int64 constants are stored as int32).
      const dtype = (byName.get(entry.name)?.attrs.get('dtype') as TfDtype | undefined) ?? (entry.dtype as TfDtype);
      constants.set(entry.name, decodeWeight(entry, buffer.subarray(offset, offset + size), dtype));
      offset += size;
    }
    if (offset !== buffer.length)
      throw new Error(`Weights manifest covers ${offset} bytes but the shards hold ${buffer.length}`);
  }

  for (const node of nodes) {
    if (node.op !== 'Const' || constants.has(node.name)) continue;
    const raw = rawByName.get(node.name)!;
    const tensor = (raw.attr?.['value'] as { tensor?: Record<string, unknown> } | undefined)?.tensor;
    const dtype = node.attrs.get('dtype');
    if (tensor === undefined || typeof dtype !== 'string' || !(dtype in { float32: 1, int32: 1, int64: 1, bool: 1 })) {
      throw new Error(`Const ${node.name}: no manifest entry and no readable inline value`);
    }
    constants.set(node.name, inlineTensor(node.name, tensor, dtype as TfDtype));
  }
  return { nodes, byName, constants };
}
