// A consumer's script, run by each runtime from a fresh project that installed the packed package:
// `<runtime> smoke.mjs <backend>` prints what it saw as one JSON line.
import { Embedder, Memory, ValidationError } from 'agentmem-web';

const backend = process.argv[2] ?? 'auto';
const started = performance.now();
const embedder = await Embedder.create({ model: './model', backend, workers: 1 });
const texts = [
  'I drink coffee every morning',
  'Coffee is what I have for breakfast each day',
  'The stock market fell sharply on Tuesday',
];
const [a, b, c] = await embedder.embedMany(texts);
const firstEmbedMs = performance.now() - started;
const dot = (x, y) => x.reduce((s, v, i) => s + v * y[i], 0);
let invalid = 'none';
try {
  await embedder.embed('');
} catch (error) {
  invalid = error instanceof ValidationError ? 'ValidationError' : String(error);
}
await embedder.close();

// A Memory over a database file of its own, closed and opened again.
const path = `./memory-${process.pid}-${Date.now()}.db`;
const options = { path, model: './model', backend, workers: 1 };
const memory = await Memory.create(options);
await memory.add('I drink coffee every morning', { userId: 'alice' });
await memory.add('The stock market fell sharply on Tuesday', { userId: 'alice' });
await memory.close();
const again = await Memory.create(options);
const found = (await again.search('what do I drink in the morning?', { userId: 'alice' })).results;
const reopened = {
  found: found.map((r) => r.memory),
  history: (await again.history(found[0].id)).map((h) => h.event),
  listed: (await again.getAll({ userId: 'alice' })).results.length,
  dbName: again.stats().dbName === path,
};
await again.close();

console.log(
  JSON.stringify({
    backend: embedder.backend,
    variant: embedder.variant,
    dimensions: embedder.dimensions,
    norm: dot(a, a),
    near: dot(a, b),
    far: dot(a, c),
    invalid,
    vectors: [a, b, c].map((v) => Array.from(v)),
    firstEmbedMs,
    reopened,
  }),
);
