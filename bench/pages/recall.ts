/**
 * Recall through the public API, as a user runs it: every session of a conversation is one `add(messages)` under
 * the conversation's user, then every question is searched in each mode with `limit: 10`.
 */
import { Memory } from '../../src/index.js';
import { turnContent, type Conversation, type Ranked, type RecallMode } from '../recall/types.js';

export interface RecallRequest {
  readonly data: readonly Conversation[];
  readonly modes: readonly RecallMode[];
  readonly model: string;
}

async function run({
  data,
  modes,
  model,
}: RecallRequest): Promise<{ ranked: Ranked[]; addMs: number; memories: number }> {
  const memory = await Memory.create({ model, dbName: `recall-${Date.now()}-${Math.random()}` });
  const turnOf = new Map<string, string>();
  const t0 = performance.now();
  await Promise.all(
    data.flatMap((c) =>
      c.sessions.map(async (s) => {
        const messages = s.turns.map((t) => ({
          role: t.speaker === c.speakers[0] ? 'user' : 'assistant',
          content: turnContent(t),
        }));
        const { results } = await memory.add(messages, { userId: c.id, metadata: { date: s.date } });
        results.forEach((r, i) => turnOf.set(r.id, s.turns[i]!.id));
      }),
    ),
  );
  const addMs = performance.now() - t0;
  const ranked: Ranked[] = [];
  for (const mode of modes) {
    for (const c of data) {
      for (const [question, qa] of c.qa.entries()) {
        const start = performance.now();
        const { results } = await memory.search(qa.q, { userId: c.id, limit: 10, mode });
        const ms = performance.now() - start;
        ranked.push({ conversation: c.id, question, mode, turns: results.map((r) => turnOf.get(r.id) ?? r.id), ms });
      }
    }
  }
  await memory.reset();
  await memory.close();
  return { ranked, addMs, memories: turnOf.size };
}

declare global {
  interface Window {
    recall: { run: typeof run };
  }
}
window.recall = { run };
