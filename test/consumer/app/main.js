// A consumer's app, written only against agentmem-web's documented API (README "Quick start").
import { Memory, Embedder, ValidationError } from 'agentmem-web';

async function run() {
  const memory = await Memory.create({ model: '/models/lexical', dbName: 'consumer-e2e', backend: 'wasm', workers: 2 });
  await memory.reset();
  await memory.add('I drink coffee every morning', { userId: 'alice' });
  await Promise.all([
    memory.add('User prefers window seats on morning flights', { userId: 'alice' }),
    memory.add('The cat sleeps on the red sofa', { userId: 'alice' }),
    memory.add('Bob likes tea', { userId: 'bob' }),
  ]);
  const { results } = await memory.search('coffee', { userId: 'alice' });
  let validation = null;
  try {
    await memory.add('', { userId: 'alice' });
  } catch (error) {
    validation = error instanceof ValidationError ? error.name : `wrong type: ${error}`;
  }
  const stats = memory.stats();
  const exported = [];
  for await (const line of memory.export()) exported.push(line);
  await memory.close();

  // A restore from a file, as a file input gives it, into a database of its own: the vectors come with it.
  const restored = await Memory.import(new Blob(exported), {
    model: '/models/lexical',
    dbName: 'consumer-e2e-restored',
    backend: 'wasm',
    workers: 1,
  });
  const imported = {
    listed: (await restored.getAll({ userId: 'alice' })).results.length,
    inferences: restored.embedder.stats().inferences,
  };
  await restored.close();

  const embedder = await Embedder.create({ model: '/models/lexical', backend: 'webgpu', workers: 1 });
  const [a, b] = await embedder.embedMany(['hello world', 'hello world']);
  const webgpu = { dims: a.length, same: a.every((x, i) => x === b[i]), backend: embedder.backend };
  await embedder.close();

  return { top: results.map((r) => r.memory), validation, workers: stats, webgpu, imported };
}

run().then(
  (value) => {
    window.__result = value;
    document.querySelector('#out').textContent = JSON.stringify(value, null, 2);
  },
  (error) => {
    window.__result = { error: `${error?.name}: ${error?.message}` };
    document.querySelector('#out').textContent = String(error?.stack ?? error);
  },
);
