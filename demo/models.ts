/**
 * Which models the demo can offer.
 *
 * A static site cannot list a folder, so the list is taken when Vite builds (or serves) the demo: the glob below
 * matches every `public/models/<name>/config.json`, i.e. every transformers.js-layout folder under `public/models/`,
 * ours (`lexical`, `minilm-l6`, `use-lite`) or one you downloaded (`public/models/all-MiniLM-L6-v2/`). The dev
 * server watches the glob, so a folder added while `npm run demo` runs appears on reload; a static build lists what
 * existed when it was built. The lazy importers are never called: only the keys (paths) are used, and the
 * config is fetched at run time if needed. A model that lives elsewhere can still be typed in as a URL
 * ("Other URL…" in the picker, or `?model=https://…` / `?model=/models/x`).
 */

const configs = import.meta.glob('/public/models/*/config.json');

export interface ModelChoice {
  /** What the picker shows. */
  readonly label: string;
  /** The folder URL handed to `Memory.create({ model })`. */
  readonly url: string;
}

/** Known models first, in this order (real semantics first); anything else after, alphabetically. */
const preferred = ['use-lite', 'lexical', 'minilm-l6'];

const notes: Record<string, string> = {
  'use-lite': 'semantic, 512-d',
  lexical: 'word overlap, fast',
  'minilm-l6': 'random weights, speed only',
};

export function discoverModels(): ModelChoice[] {
  const names = Object.keys(configs)
    .map((path) => /^\/public\/models\/([^/]+)\/config\.json$/.exec(path)?.[1])
    .filter((name): name is string => name !== undefined);
  const rank = (name: string) => {
    const index = preferred.indexOf(name);
    return index === -1 ? preferred.length : index;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => ({
    label: notes[name] ? `${name} (${notes[name]})` : name,
    url: `/models/${name}`,
  }));
}

/** `use-lite` when it was generated, else `lexical`, else whatever exists. */
export function defaultModel(choices: readonly ModelChoice[]): string {
  for (const name of ['use-lite', 'lexical']) {
    const found = choices.find((choice) => choice.url === `/models/${name}`);
    if (found) return found.url;
  }
  return choices[0]?.url ?? '/models/lexical';
}

/** `?model=lexical` means `/models/lexical`; anything with a slash is taken as a URL. */
export function modelFromParam(value: string): string {
  return value.includes('/') ? value.replace(/\/+$/, '') : `/models/${value}`;
}

/** The short name shown in the status line: the last path segment. */
export function modelName(url: string): string {
  return url.replace(/\/+$/, '').split('/').pop() ?? url;
}
