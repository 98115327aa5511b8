// The toolbar popup: asks the service worker, which relays to the offscreen document's Memory.
const userId = 'me';

async function call(op, ...args) {
  const reply = await chrome.runtime.sendMessage({ target: 'background', op, args });
  if (reply?.error) throw Object.assign(new Error(reply.error.message), { name: reply.error.name });
  return reply?.value;
}

const text = document.querySelector('#text');
const list = document.querySelector('#results');

function show(lines) {
  list.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
}

document.querySelector('#form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { results } = await call('add', text.value, { userId });
    show(results.map((r) => `Remembered: ${r.memory}`));
    text.value = '';
  } catch (error) {
    show([`${error.name}: ${error.message}`]);
  }
});

document.querySelector('#search').addEventListener('click', async () => {
  try {
    const { results } = await call('search', text.value, { userId, limit: 5 });
    show(results.map((r) => `${r.memory} (${r.score.toFixed(2)})`));
  } catch (error) {
    show([`${error.name}: ${error.message}`]);
  }
});
