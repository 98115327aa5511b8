/** The conversation data set format the recall evaluation reads (LoCoMo's, reduced; see bench/README.md). */
export interface Turn {
  readonly speaker: string;
  readonly id: string;
  readonly text: string;
  readonly caption?: string;
}

export interface Conversation {
  readonly id: string;
  readonly speakers: readonly string[];
  readonly sessions: readonly { readonly date: string; readonly turns: readonly Turn[] }[];
  readonly qa: readonly { readonly q: string; readonly evidence: readonly string[]; readonly category: number }[];
}

export type RecallMode = 'hybrid' | 'vector' | 'keyword';

/** What the page returns per question and mode: the turn ids of the top 10, and the search's latency. */
export interface Ranked {
  readonly conversation: string;
  readonly question: number;
  readonly mode: RecallMode | 'plain-bm25';
  readonly turns: readonly string[];
  readonly ms: number;
}

/** How a turn is stored: the speaker's name with the text, and the photo's caption when one was shared. */
export function turnContent(turn: Turn): string {
  return `${turn.speaker}: ${turn.text}` + (turn.caption ? ` [shares a photo: ${turn.caption}]` : '');
}
