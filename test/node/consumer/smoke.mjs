// A consumer's script, run by each runtime from a fresh project that installed the packed package:
// `<runtime> smoke.mjs <backend>` prints what it saw as one JSON line.
import { Embedder, ValidationError } from 'agentmem-web';

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
  }),
);
await embedder.close();
