/**
 * A seeded generator of realistic agent memories ("User prefers window seats on morning flights"), so the bulk add
 * and the search have something believable to chew on. Same seed, same sentences, same order: tests can rely on it.
 */

export const CATEGORIES = ['travel', 'food', 'work', 'family', 'health', 'hobbies', 'preferences', 'shopping'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface SampleMemory {
  readonly text: string;
  readonly metadata: { readonly category: Category; readonly source: 'sample'; readonly importance: number };
}

type Slots = Record<string, readonly string[]>;

const slots: Slots = {
  seat: ['window', 'aisle', 'exit-row', 'front-row'],
  daypart: ['morning', 'early morning', 'late evening', 'red-eye', 'afternoon'],
  city: [
    'Lisbon',
    'Tokyo',
    'Montreal',
    'Cape Town',
    'Oslo',
    'Mexico City',
    'Seoul',
    'Vienna',
    'Buenos Aires',
    'Nairobi',
    'Reykjavik',
    'Kyoto',
  ],
  month: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  airline: ['Lufthansa', 'Delta', 'Air Canada', 'KLM', 'Qantas', 'Emirates', 'JetBlue'],
  stay: [
    'boutique hotels',
    'apartments with a kitchen',
    'hostels',
    'hotels near the train station',
    'quiet hotels with a gym',
  ],
  allergen: ['peanuts', 'shellfish', 'gluten', 'lactose', 'sesame', 'tree nuts'],
  cuisine: ['Thai', 'Ethiopian', 'Italian', 'Japanese', 'Mexican', 'Lebanese', 'Korean', 'Peruvian', 'Georgian'],
  drink: ['black coffee', 'green tea', 'oat milk lattes', 'sparkling water', 'espresso', 'chai'],
  diet: ['vegetarian', 'vegan', 'pescatarian', 'trying to eat less sugar', 'avoiding red meat'],
  dish: ['cilantro', 'olives', 'blue cheese', 'mushrooms', 'very spicy food', 'raw onions'],
  job: [
    'a product designer',
    'a data engineer',
    'a nurse',
    'a high-school teacher',
    'an architect',
    'a backend developer',
    'an accountant',
  ],
  company: ['a small startup', 'a hospital in the city', 'a design agency', 'a public library', 'a logistics company'],
  person: ['Priya', 'Marcus', 'Elena', 'Tom', 'Aisha', 'Kenji', 'Sofia', 'Daniel', 'Grace', 'Omar'],
  weekday: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  tool: ['Linear', 'a paper notebook', 'Trello', 'plain markdown files', 'Notion', 'GitHub issues'],
  hour: ['7', '8', '9', '10', '11'],
  relation: ['sister', 'brother', 'daughter', 'son', 'mother', 'father', 'partner', 'best friend'],
  pet: ['a golden retriever', 'two cats', 'a rabbit', 'a parrot', 'an old beagle'],
  petname: ['Biscuit', 'Luna', 'Miso', 'Pepper', 'Atlas', 'Noodle'],
  sport: ['runs', 'swims', 'cycles', 'does yoga', 'lifts weights', 'plays tennis'],
  distance: ['3', '5', '8', '10', '12'],
  condition: ['mild asthma', 'a bad knee', 'seasonal allergies', 'lower back pain', 'migraines'],
  instrument: ['the piano', 'the guitar', 'the cello', 'the drums', 'the ukulele'],
  hobby: ['bouldering', 'baking sourdough', 'birdwatching', 'film photography', 'board games', 'gardening', 'chess'],
  genre: ['science fiction', 'historical novels', 'mystery novels', 'poetry', 'biographies'],
  style: ['short, bullet-point', 'detailed', 'casual', 'formal', 'step-by-step'],
  channel: ['email', 'text messages', 'calendar invites', 'a morning summary'],
  lang: ['English', 'Spanish', 'German', 'Portuguese', 'Japanese', 'French'],
  size: ['38', '40', '42', '44', '9', '10'],
  item: ['a new laptop', 'an e-bike', 'noise-cancelling headphones', 'a standing desk', 'a trip to Japan'],
  brand: ['Patagonia', 'Muji', 'IKEA', 'Uniqlo', 'local second-hand shops'],
  topic: ['cooking', 'travel plans', 'their health', 'money', 'work', 'programming', 'history', 'gardening'],
  timing: ['the evening before', 'an hour ahead', 'first thing in the morning', 'at lunchtime', 'a week ahead'],
  dayhalf: ['mornings', 'afternoons', 'evenings'],
  store: ['the farmers market', 'a small corner shop', 'an organic grocer', 'the big supermarket', 'an online grocer'],
  budget: ['50', '100', '200', '500', '1000'],
};

const templates: Record<Category, readonly string[]> = {
  travel: [
    'User prefers {seat} seats on {daypart} flights',
    'User is planning a trip to {city} in {month}',
    'User collects miles with {airline}',
    'User likes to stay in {stay}',
    'User wants to visit {city} with their {relation}',
    'User avoids layovers longer than {hour} hours',
  ],
  food: [
    'User is allergic to {allergen}',
    "User's favorite cuisine is {cuisine}",
    'User drinks {drink} every morning',
    'User is {diet}',
    'User dislikes {dish}',
    'User wants to try a {cuisine} restaurant in {city}',
  ],
  work: [
    'User works as {job} at {company}',
    'User has a standing meeting with {person} every {weekday}',
    'User tracks projects in {tool}',
    "User's manager is {person}",
    'User does focused work before {hour} am',
    'User is preparing a presentation for {weekday}',
  ],
  family: [
    "User's {relation} has a birthday in {month}",
    'User has {pet} named {petname}',
    'User calls their {relation} every {weekday}',
    "User's {relation} lives in {city}",
    'User is planning a surprise party for their {relation} in {month}',
  ],
  health: [
    'User {sport} {distance} km on {weekday}s',
    'User has {condition}',
    'User goes to bed around {hour} pm on weeknights',
    'User has a dentist appointment in {month}',
    'User {sport} with {person} on {weekday} mornings',
  ],
  hobbies: [
    'User plays {instrument}',
    'User enjoys {hobby} on weekends',
    'User is reading {genre} lately',
    'User started learning {lang}',
    'User joined a {hobby} club in {month}',
  ],
  preferences: [
    'User prefers {style} answers',
    'User wants reminders by {channel}',
    "User's preferred language is {lang}",
    'User does not want notifications on {weekday}s',
    'User likes answers with examples from {hobby}',
    'User prefers {style} answers about {topic}',
    'User wants reminders by {channel} {timing}',
    'User prefers meetings on {weekday} {dayhalf}',
  ],
  shopping: [
    'User wears size {size} shoes',
    'User is saving up for {item}',
    'User likes clothes from {brand}',
    'User wants a price alert for {item}',
    'User buys groceries at {store} on {weekday}s',
    'User is looking for {item} under {budget} dollars',
    'User returned {item} bought in {month}',
  ],
};

const prefixes = [
  'Since {month}, ',
  'As of last {weekday}, ',
  'Since the trip to {city}, ',
  'After talking to {person}, ',
];

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)]!;
}

function fill(template: string, next: () => number): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const choices = slots[name];
    if (!choices) throw new Error(`Sample template uses unknown slot {${name}}`);
    return pick(next, choices);
  });
}

/**
 * `count` distinct memories, deterministic for a given seed.
 * @example sampleMemories(1000)[0].text // "User ..."
 */
export function sampleMemories(count: number, seed = 42): SampleMemory[] {
  const next = random(seed);
  const seen = new Set<string>();
  const out: SampleMemory[] = [];
  // Plain sentences first (the templates give well over 1,000); once they run dry, the same facts dated
  // ("Since March, user ...") multiply the space, so `?sample=20000` still gets distinct memories.
  let attempts = 0;
  while (out.length < count && attempts < count * 200) {
    attempts++;
    const category = pick(next, CATEGORIES);
    let text = fill(pick(next, templates[category]), next);
    if (attempts > count * 20) text = `${fill(pick(next, prefixes), next)}${text[0]!.toLowerCase()}${text.slice(1)}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, metadata: { category, source: 'sample', importance: 1 + Math.floor(next() * 5) } });
  }
  return out;
}
