/**
 * A hand-written retrieval set: agent memories and, for each, a query that paraphrases it with little word
 * overlap. Recall@1 = share of queries whose nearest memory (cosine) is their own.
 */
export interface MemoryCase {
  readonly memory: string;
  readonly query: string;
}

export const MEMORY_CASES: readonly MemoryCase[] = [
  { memory: 'User prefers window seats on morning flights', query: 'Where does the user like to sit on planes?' },
  { memory: 'Allergic to peanuts and shellfish', query: 'Which foods make them sick?' },
  { memory: 'Their daughter Mia starts school in September', query: 'When does the kid begin classes?' },
  { memory: 'Works as a night-shift nurse at the city hospital', query: 'What is their job?' },
  { memory: 'Drinks oat milk flat whites, never black coffee', query: 'How do they take their coffee?' },
  { memory: 'Lives in a small flat in Lisbon with two cats', query: 'Which city is home for them?' },
  { memory: 'Is training for the Berlin marathon in the autumn', query: 'What running race are they preparing for?' },
  { memory: 'Writes most backend services in Go and some Rust', query: 'Which programming languages do they code in?' },
  { memory: 'Birthday is on the 14th of March', query: 'When should I send them a cake?' },
  { memory: 'Wants reminders sent by text message, not email', query: 'How should notifications reach them?' },
  { memory: 'Is learning Japanese with a tutor every Thursday evening', query: 'What language lessons do they take?' },
  { memory: 'Drives an old blue Volvo station wagon', query: 'What car do they own?' },
  { memory: 'Afraid of heights, avoids balconies and ladders', query: 'Do they have any phobias?' },
  { memory: 'Vegetarian for ten years, eats eggs and cheese', query: 'Do they eat meat?' },
  { memory: 'Favourite author is Ursula K. Le Guin', query: 'Which writer do they love reading?' },
  { memory: 'Plays bass guitar in a jazz band on weekends', query: 'What instrument does the user play?' },
];

/** Share of cases whose query's nearest memory (by dot product of unit vectors) is its own. */
export function recallAt1(memoryVectors: readonly Float32Array[], queryVectors: readonly Float32Array[]): number {
  let hits = 0;
  queryVectors.forEach((q, i) => {
    let best = -1;
    let bestScore = -Infinity;
    memoryVectors.forEach((m, j) => {
      let dot = 0;
      for (let k = 0; k < q.length; k++) dot += q[k]! * m[k]!;
      if (dot > bestScore) {
        bestScore = dot;
        best = j;
      }
    });
    if (best === i) hits++;
  });
  return hits / queryVectors.length;
}
