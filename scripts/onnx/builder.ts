/**
 * A small ONNX graph builder: add inputs, initializers and nodes, declare outputs, get the model's bytes.
 *
 * @example
 * ```ts
 * import { GraphBuilder, DataType, floatTensor } from '../onnx/index.js';
 * const g = new GraphBuilder('tiny');
 * const x = g.input('x', DataType.FLOAT, ['batch', 4]);
 * const w = g.initializer('w', floatTensor([4, 2], [1, 0, 0, 1, 1, 0, 0, 1]));
 * const y = g.node('MatMul', [x, w]);
 * const z = g.node('Softmax', [y], { axis: -1 }, { output: 'probs' });
 * g.output(z, DataType.FLOAT, ['batch', 2]);
 * writeFileSync('tiny.onnx', g.toBytes());
 * ```
 *
 * Names: `node()` returns the name of its (first) output, generated as `<op>_<n>` unless `opts.output` names it;
 * `nodeN()` returns several outputs. Pass `''` as an input name to skip an optional input.
 * Attributes: an integer number is written as INT, a non-integer number as FLOAT; write `{ float: 1 }` for a FLOAT
 * attribute whose value is an integer (e.g. `alpha: { float: 1 }`), `{ floats: [...] }` likewise for lists.
 */
import { modelType } from './schema.js';
import type { DataType, Tensor } from './tensor.js';

export type AttrValue =
  | number
  | bigint
  | string
  | readonly number[]
  | Tensor
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] };

export type Dim = number | string;

export interface NodeOptions {
  /** Name of the (first) output, instead of a generated one. */
  readonly output?: string;
  /** Node name; defaults to the first output's name. */
  readonly name?: string;
  /** Operator domain; '' (ai.onnx) by default. Use 'com.microsoft' for ORT contrib ops. */
  readonly domain?: string;
}

export interface ModelOptions {
  /** @default 17 */
  readonly opset?: number;
  /** @default 8 */
  readonly irVersion?: number;
  /** @default 'agentmem-web' */
  readonly producer?: string;
  readonly docString?: string;
  /** `metadata_props` key/value pairs. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }`. */
  readonly extraOpsets?: Readonly<Record<string, number>>;
}

const AT = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

interface ValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}

function valueInfo(name: string, elemType: DataType, dims: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function tensorProto(name: string, t: Tensor): object {
  return { name, dims: [...t.dims], data_type: t.dataType, raw_data: t.raw };
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'raw' in v && 'dataType' in v;
}

function isNumberList(v: unknown): v is readonly number[] {
  return Array.isArray(v);
}

function attribute(name: string, value: AttrValue): object {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AT.INT, i: value } : { name, type: AT.FLOAT, f: value };
  }
  if (typeof value === 'bigint') return { name, type: AT.INT, i: value.toString() };
  if (typeof value === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(value) };
  if (isTensor(value)) return { name, type: AT.TENSOR, t: tensorProto(name, value) };
  if (isNumberList(value)) {
    return value.every(Number.isInteger)
      ? { name, type: AT.INTS, ints: [...value] }
      : { name, type: AT.FLOATS, floats: [...value] };
  }
  if ('float' in value) return { name, type: AT.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AT.FLOATS, floats: [...value.floats] };
  return { name, type: AT.INTS, ints: [...value.ints] };
}

export class GraphBuilder {
  readonly #name: string;
  readonly #nodes: object[] = [];
  readonly #initializers: object[] = [];
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #names = new Set<string>();
  #counter = 0;

  constructor(name: string) {
    this.#name = name;
  }

  #claim(name: string): string {
    if (this.#names.has(name)) throw new Error(`Expected a unique value name, got \`${name}\` twice`);
    this.#names.add(name);
    return name;
  }

  #fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.#counter++}`;
    while (this.#names.has(name));
    return this.#claim(name);
  }

  /** Declares a graph input; returns its name. */
  input(name: string, elemType: DataType, dims: readonly Dim[]): string {
    this.#inputs.push(valueInfo(this.#claim(name), elemType, dims));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, elemType: DataType, dims: readonly Dim[]): string {
    if (!this.#names.has(name)) throw new Error(`Expected an existing value for output, got \`${name}\``);
    this.#outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Adds a named constant (weight); returns its name. */
  initializer(name: string, tensor: Tensor): string {
    this.#initializers.push(tensorProto(this.#claim(name), tensor));
    return name;
  }

  /** Adds an anonymous constant (`const_<n>`, or `<hint>_<n>`); returns its name. */
  constant(tensor: Tensor, hint = 'const'): string {
    const name = this.#fresh(hint);
    this.#initializers.push(tensorProto(name, tensor));
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, AttrValue>> = {},
    opts: NodeOptions = {},
  ): string {
    return this.nodeN(op, inputs, 1, attrs, opts)[0]!;
  }

  /** Adds a node with `outputs` outputs; returns their names. */
  nodeN(
    op: string,
    inputs: readonly string[],
    outputs: number,
    attrs: Readonly<Record<string, AttrValue>> = {},
    opts: NodeOptions = {},
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.#names.has(input)) {
        throw new Error(`Expected inputs of ${op} to be existing values, got \`${input}\``);
      }
    }
    const outs: string[] = [];
    for (let i = 0; i < outputs; i++) {
      outs.push(i === 0 && opts.output !== undefined ? this.#claim(opts.output) : this.#fresh(op));
    }
    this.#nodes.push({
      name: opts.name ?? outs[0],
      op_type: op,
      domain: opts.domain ?? '',
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Serialises the model (`ModelProto`). */
  toBytes(options: ModelOptions = {}): Uint8Array {
    if (this.#outputs.length === 0) throw new Error(`Expected graph \`${this.#name}\` to declare at least one output`);
    const opsets = [{ domain: '', version: options.opset ?? 17 }];
    for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) opsets.push({ domain, version });
    const model = {
      ir_version: options.irVersion ?? 8,
      producer_name: options.producer ?? 'agentmem-web',
      producer_version: '1',
      doc_string: options.docString ?? '',
      opset_import: opsets,
      metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.#name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    };
    return modelType().encode(model).finish();
  }
}
