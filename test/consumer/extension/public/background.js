// The extension's service worker. A service worker cannot start Web Workers, so the memory lives in an offscreen
// document (offscreen.html) and every call goes there as a runtime message.
const OFFSCREEN = 'offscreen.html';
let creating;

async function ensureOffscreen() {
  if (await chrome.offscreen.hasDocument()) return;
  creating ??= chrome.offscreen
    .createDocument({
      url: OFFSCREEN,
      reasons: ['WORKERS'],
      justification: 'Embeds and stores memories in Web Workers',
    })
    .finally(() => (creating = undefined));
  await creating;
}

/** memory(op, ...args): 'add' | 'search' | 'getAll' | 'delete' | 'stats' | 'capabilities', with Memory's arguments. */
async function memory(op, ...args) {
  await ensureOffscreen();
  const reply = await chrome.runtime.sendMessage({ target: 'agentmem', op, args });
  if (reply?.error) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply?.value;
}

// Popups, content scripts and other extension pages ask through the service worker.
chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.target !== 'background') return false;
  memory(message.op, ...(message.args ?? [])).then(
    (value) => sendResponse({ value }),
    (error) => sendResponse({ error: { name: error.name, message: error.message } }),
  );
  return true; // the answer comes asynchronously
});

globalThis.memory = memory;
