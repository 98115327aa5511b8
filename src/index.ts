export * from './errors.js';
export { Memory, type MemoryOptions } from './memory/memory.js';
export type { TextEmbedder } from './memory/text-embedder.js';
export type {
  AddManyItem,
  AddOptions,
  AddResult,
  Filter,
  FilterOperators,
  FilterValue,
  GetAllOptions,
  HistoryEntry,
  HistoryEvent,
  MemoryItem,
  MemoryScope,
  MemoryState,
  MemoryStats,
  Message,
  Metadata,
  SearchOptions,
  SearchResult,
  UpdatePatch,
} from './memory/types.js';
