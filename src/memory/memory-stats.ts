import type { IngestStats } from './ingest.js';
import type { Parts } from './open.js';
import type { MemoryState, MemoryStats } from './types.js';

/** What Memory.stats() reads from the parts that keep their own counts. */
export interface StatsSources {
  readonly state: MemoryState;
  readonly parts: Parts;
  readonly ingest: IngestStats;
  readonly compactions: number;
  readonly historyDropped: number;
  readonly index: MemoryStats['index'];
}

/** Memory.stats(): one snapshot of its parts' counts. */
export function memoryStats(sources: StatsSources): MemoryStats {
  const { dbName, writer, embedder, quantize } = sources.parts;
  const writes = writer.stats();
  const { inFlight, committed, ...replay } = sources.ingest;
  return {
    state: sources.state,
    dbName,
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    quantize,
    inFlight,
    committed,
    commitGroups: writes.commitTransactions,
    largestGroup: writes.largestCommit,
    writeTransactions: writes.transactions,
    ...replay,
    compactions: sources.compactions,
    historyDropped: sources.historyDropped,
    index: sources.index,
    embedder: embedder.stats(),
  };
}
