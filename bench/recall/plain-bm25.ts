import { turnContent, type Conversation, type Ranked } from './types.js';

/**
 * The baseline the goals compare with: BM25 (k1 1.2, b 0.75) over single turns, words split on anything but
 * letters and digits, lower-cased, nothing else (no stemming, no stop words): what anyone writes in 30 lines.
 */
export function plainBm25(data: readonly Conversation[]): Ranked[] {
  const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: Ranked[] = [];
  for (const c of data) {
    const turns = c.sessions.flatMap((s) => s.turns);
    const docs = turns.map((t) => {
      const tf = new Map<string, number>();
      const w = words(turnContent(t));
      for (const x of w) tf.set(x, (tf.get(x) ?? 0) + 1);
      return { tf, length: w.length };
    });
    const df = new Map<string, number>();
    for (const d of docs) for (const x of d.tf.keys()) df.set(x, (df.get(x) ?? 0) + 1);
    const average = docs.reduce((a, d) => a + d.length, 0) / docs.length;
    c.qa.forEach((qa, question) => {
      const scores = docs.map((d) => {
        let s = 0;
        for (const x of new Set(words(qa.q))) {
          const f = d.tf.get(x);
          if (!f) continue;
          const n = df.get(x)!;
          s +=
            Math.log(1 + (docs.length - n + 0.5) / (n + 0.5)) *
            ((f * 2.2) / (f + 1.2 * (0.25 + (0.75 * d.length) / average)));
        }
        return s;
      });
      const top = [...scores.keys()]
        .filter((i) => scores[i]! > 0)
        .sort((a, b) => scores[b]! - scores[a]!)
        .slice(0, 10);
      out.push({ conversation: c.id, question, mode: 'plain-bm25', turns: top.map((i) => turns[i]!.id), ms: 0 });
    });
  }
  return out;
}
