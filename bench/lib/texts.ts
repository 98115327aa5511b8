/**
 * Seeded generator of realistic agent-memory sentences, shared by the runner (native row) and the benchmark page
 * (every browser system), so every system embeds exactly the same texts.
 *
 * Sentences are what an assistant stores about a user: preferences, facts, plans, constraints. Lengths span
 * roughly 8-40 model tokens (6-30 words). `textsFor(seed, n)` returns `n` distinct texts; the same seed always
 * gives the same list, on every machine and in every realm.
 */

/** mulberry32: tiny, fast, good enough for picking words; identical in Node and the browser. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const people = [
  'User',
  'The user',
  'Maya',
  'Daniel',
  'Priya',
  'Tom',
  'Her manager',
  'His sister',
  'Alex',
  'The client',
  'Jordan',
  'Sofia',
  'Kenji',
  'Amara',
  'Lucas',
  'The team lead',
];
const likes = [
  'prefers',
  'likes',
  'dislikes',
  'always asks for',
  'avoids',
  'is allergic to',
  'wants',
  'enjoys',
  'cannot stand',
  'usually orders',
];
const things = [
  'window seats on morning flights',
  'oat milk in coffee',
  'spicy Thai food',
  'dark mode in every editor',
  'short bullet-point summaries',
  'meetings before 10 am',
  'aisle seats on long-haul flights',
  'peanuts',
  'vegetarian restaurants',
  'jazz playlists while working',
  'hotel rooms on a high floor',
  'handwritten thank-you notes',
  'TypeScript over plain JavaScript',
  'green tea without sugar',
  'trains instead of short flights',
  'detailed weekly status reports',
  'quiet coworking spaces',
  'gluten-free pasta',
  'Python type hints',
  'early check-in at hotels',
  'reminders by text message',
  'metric units',
  'sushi on Fridays',
  'video calls with the camera off',
  'printed boarding passes',
  'red wine from Portugal',
  'standing desks',
  'podcasts about history',
];
const places = [
  'Lisbon',
  'Berlin',
  'Tokyo',
  'Nairobi',
  'Toronto',
  'the Berlin office',
  'Austin',
  'Seoul',
  'Barcelona',
  'Melbourne',
  'Oslo',
  'Mexico City',
  'the lake house',
  'Cape Town',
  'Dublin',
  'Singapore',
];
const times = [
  'next Tuesday',
  'on March 14',
  'every Monday morning',
  'at the end of the quarter',
  'this weekend',
  'in two weeks',
  'after the product launch',
  'before the board meeting',
  'on the first of every month',
  'tomorrow at 9 am',
  'in late September',
  'during the holidays',
];
const tasks = [
  'renew the passport',
  'book the dentist appointment',
  'send the invoice to the accountant',
  'review the pull request on billing',
  'call the landlord about the heating',
  'file the expense report',
  'order a birthday gift for Sam',
  'update the project roadmap',
  'pay the car insurance',
  'cancel the gym membership',
  'back up the laptop',
  'prepare slides for the investor update',
];
const facts = [
  'works as a data engineer at a logistics startup',
  'has two cats named Miso and Tofu',
  'is training for a half marathon',
  'speaks Portuguese and a little Japanese',
  'moved to a new apartment last month',
  'is learning to play the cello',
  'manages a team of six engineers',
  'is lactose intolerant',
  'drives an electric car',
  'volunteers at the animal shelter on Saturdays',
  'has a daughter starting school this autumn',
  'uses a screen reader for long documents',
  'keeps a budget spreadsheet for every trip',
  'is studying for a cloud certification',
  'grows tomatoes on the balcony',
  'plays chess online most evenings',
];
const tails = [
  '',
  '',
  '',
  '',
  ' and mentioned it twice this week',
  ' because of a bad experience last year',
  ', according to the last conversation',
  ' and asked me to remember this',
  ' unless the budget is tight',
  ', but only on weekdays',
  ' when travelling with the kids',
  ' since starting the new job',
  ' and would like a reminder the day before',
  ' which matters for the trip to Lisbon in May',
];
const when = [
  'next Tuesday',
  'March 14',
  'Monday morning',
  'the end of the quarter',
  'Friday afternoon',
  'the week after the launch',
  'early next month',
  'Thursday at 3 pm',
];
const leads = [
  '',
  '',
  '',
  'Noted today: ',
  'Since last spring, ',
  'Important: ',
  'From the onboarding call: ',
  'Update: ',
];
type Pick = <T>(xs: readonly T[]) => T;
/** A person in the middle of a sentence: 'The user' -> 'the user'. */
const mid = (who: string): string => (/^(The|His|Her) /.test(who) ? who[0]!.toLowerCase() + who.slice(1) : who);
const templates: ((p: Pick) => string)[] = [
  (p) => `${p(leads)}${p(people)} ${p(likes)} ${p(things)}${p(tails)}.`,
  (p) => `${p(leads)}${p(people)} ${p(facts)}${p(tails)}.`,
  (p) =>
    `Remind ${p(['the user', 'Maya', 'Daniel', 'Priya', 'Alex', 'Tom', 'Sofia'])} to ${p(tasks)} ${p(times)}${p(tails)}.`,
  (p) => `${p(people)} is travelling to ${p(places)} ${p(times)} and ${p(likes)} ${p(things)}.`,
  (p) => `${p(leads)}${p(people)} lives near ${p(places)} and ${p(facts)}.`,
  (p) =>
    `Meeting with ${mid(p(people))} about the ${p(['budget', 'roadmap', 'hiring plan', 'security review', 'migration', 'launch'])} moved to ${p(when)}${p(tails)}.`,
  (p) =>
    `${p(leads)}${p(people)} said the ${p(['flight', 'hotel', 'dinner', 'workshop', 'interview', 'delivery'])} in ${p(places)} was ${p(['excellent', 'disappointing', 'too expensive', 'cancelled', 'delayed by two hours', 'worth repeating'])}.`,
  (p) => {
    const who = p(people);
    return `Do not schedule anything for ${mid(who)} ${p(times)}; ${mid(who) === who ? who : 'that person'} ${p(facts)}.`;
  },
  (p) => `${p(people)} asked to ${p(tasks)} ${p(times)} and ${p(likes)} ${p(things)}${p(tails)}.`,
  (p) =>
    `${p(leads)}The favourite ${p(['restaurant', 'cafe', 'bookshop', 'park', 'hotel'])} of ${mid(p(people))} is in ${p(places)}${p(tails)}.`,
];

/** `n` distinct sentences for `seed`. Deterministic: same (seed, n) -> same list; a longer list extends a shorter one. */
export function textsFor(seed: number, n: number): string[] {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    let text = '';
    // The combinatorial space is ~10^7: retry collisions a few times, then add a short suffix that makes it unique.
    for (let attempt = 0; attempt < 20 && (text === '' || seen.has(text)); attempt++) {
      text = templates[Math.floor(next() * templates.length)]!(pick);
    }
    // Very short sentences ("Tom avoids metric units.") can fall under 8 tokens: give them a clause.
    if (text.split(' ').length < 6) text = `${text.slice(0, -1)}${pick(tails.filter((t) => t !== ''))}.`;
    if (seen.has(text)) text = `${text.slice(0, -1)} (note ${out.length + 1}).`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  return out;
}

/**
 * `n` distinct paragraphs of 5-12 of those sentences each ("Notes from the call: ..."): ~80-230 model tokens
 * (median ~150), the size of a conversation excerpt an agent stores whole. Deterministic like {@link textsFor}.
 */
export function paragraphsFor(seed: number, n: number): string[] {
  const next = rng(seed ^ 0x5bd1e995);
  const sizes = Array.from({ length: n }, () => 5 + Math.floor(next() * 8));
  const sentences = textsFor(
    seed,
    sizes.reduce((a, b) => a + b, 0),
  );
  let at = 0;
  return sizes.map((k) => {
    const part = sentences.slice(at, at + k);
    at += k;
    return `Notes from the call: ${part.join(' ')}`;
  });
}

/** Seeds per purpose, so warm-up texts never collide with measured ones and each repetition uses fresh texts. */
export const SEEDS = {
  warmup: 1,
  measured: 1000,
  queries: 7,
  store: 424242,
} as const;

/**
 * Texts for repetition `rep` of a workload (fresh texts per repetition, so no repetition hits the cache); paragraphs
 * for the long-memory workload (`W6-long`, and its raw ceiling's `ceiling-W6-long`).
 */
export function repTexts(workload: string, rep: number, n: number): string[] {
  let h = 0;
  for (const c of workload) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  const seed = SEEDS.measured + h + rep * 7919;
  return workload.endsWith('W6-long') ? paragraphsFor(seed, n) : textsFor(seed, n);
}

/** W3: `n` adds where half the texts repeat one of the other half (shuffled, seeded). */
export function duplicateHeavy(rep: number, n: number): string[] {
  const unique = repTexts('W3', rep, Math.ceil(n / 2));
  const next = rng(99 + rep);
  const all = [...unique, ...unique].slice(0, n);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}
