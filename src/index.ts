export * from './errors.js';
export { Memory, type MemoryEmbedder, type MemoryOptions } from './memory/memory.js';
export type { TextEmbedder } from './memory/text-embedder.js';
export type { BackupProgress, ExportOptions, ImportOptions, ImportResult, OnConflict } from './memory/backup-types.js';
export type { ImportSource } from './memory/lines.js';
export type {
  AddManyItem,
  AddOptions,
  AddResult,
  ExpirationDate,
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
  ScopeFilters,
  SearchFilters,
  SearchOptions,
  SearchResult,
  SearchMode,
  ScoreExplanation,
  UpdatePatch,
} from './memory/types.js';
export { Embedder, type EmbedCallOptions, type VectorSink } from './engine/embedder.js';
export type {
  Backend,
  CacheKeyRange,
  CacheOptions,
  EmbedderOptions,
  EmbedderProgress,
  EmbedderStats,
  PersistentEmbeddingCache,
  Variant,
  WorkerState,
  WorkerStats,
} from './engine/types.js';
export { embeddingCacheKey } from './engine/cache-key.js';
export { IdbEmbeddingCache } from './engine/idb-cache.js';
export { clearModelCache } from './models/fetch.js';
export { capabilities, type Capabilities } from './capabilities.js';
