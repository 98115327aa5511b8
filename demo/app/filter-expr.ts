/**
 * The metadata filter box: `importance >= 4 and category = travel` -> Mem0's filter object
 * `{ AND: [{ importance: { gte: 4 } }, { category: 'travel' }] }`. Values that look like numbers or booleans are
 * compared as such; quotes keep a value a string (`code = "007"`).
 */

export type Scalar = string | number | boolean;
export type Clause = Record<string, Scalar | Partial<Record<'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains', Scalar>>>;
export interface ParsedFilter {
  AND: Clause[];
}

export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

const ops: Record<string, 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains'> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  contains: 'contains',
};

const clausePattern = /^\s*([A-Za-z_][\w.-]*)\s*(==|!=|>=|<=|=|>|<|\bcontains\b)\s*(.+?)\s*$/i;

function parseValue(raw: string): Scalar {
  const quoted = /^(["'])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2]!;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/** `undefined` for an empty box; throws FilterSyntaxError with a message fit for the help line. */
export function parseFilter(expression: string): ParsedFilter | undefined {
  const text = expression.trim();
  if (text === '') return undefined;
  // `and` joins clauses (a value cannot contain the word "and": a limitation of this small syntax).
  const clauses = text.split(/\s+and(?:\s+|$)/i).map((part): Clause => {
    if (part.trim() === '') throw new FilterSyntaxError('Expected a `key = value` clause after `and`');
    const match = clausePattern.exec(part);
    if (!match)
      throw new FilterSyntaxError(`Expected \`key = value\` (or != > >= < <= contains), got \`${part.trim()}\``);
    const [, key, symbol, raw] = match;
    const op = ops[symbol!.toLowerCase()]!;
    const value = parseValue(raw!);
    return op === 'eq' ? { [key!]: value } : { [key!]: { [op]: value } };
  });
  return { AND: clauses };
}

/** Combines the category select and the typed expression into one filter (or none). */
export function combineFilters(category: string, expression: string): ParsedFilter | undefined {
  const typed = parseFilter(expression);
  const clauses = [...(category ? [{ category }] : []), ...(typed?.AND ?? [])];
  return clauses.length > 0 ? { AND: clauses } : undefined;
}
