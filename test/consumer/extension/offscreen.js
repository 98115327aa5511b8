// The offscreen document: one Memory for the whole extension, answering the service worker's messages.
import { Memory, capabilities } from 'agentmem-web';

// The model ships inside the extension, under public/models/ (the e2e test copies the small `lexical` test model
// there; for real semantics copy `use-lite` from this repository's public/models/, which `npm install` builds).
const ready = Memory.create({ model: chrome.runtime.getURL('models/lexical'), dbName: 'extension-memory' });

const ops = {
  add: (memory, text, options) => memory.add(text, options),
  search: (memory, query, options) => memory.search(query, options),
  getAll: (memory, options) => memory.getAll(options),
  delete: (memory, id) => memory.delete(id),
  stats: (memory) => memory.stats(),
  capabilities: () => capabilities(),
};

chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.target !== 'agentmem') return false;
  const op = ops[message.op];
  (async () => {
    if (!op) throw Object.assign(new Error(`Unknown operation \`${message.op}\``), { name: 'ValidationError' });
    return op(await ready, ...(message.args ?? []));
  })().then(
    (value) => sendResponse({ value }),
    (error) => sendResponse({ error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } }),
  );
  return true;
});
