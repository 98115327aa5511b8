/**
 * The demo's entry: builds the panels and wires them to one `Session` (the running Memory). Each panel owns its
 * DOM; this file only decides what happens when, and it is the one place errors are turned into notices.
 */
import { bulkAdd } from './app/bulk-add.js';
import { Lister } from './app/listing.js';
import { RateMeter } from './app/rate-meter.js';
import { Session, type LoadEvent } from './app/session.js';
import { loadSettings, sampleSize, saveSettings, type Settings } from './app/settings.js';
import { StatsSampler, engineFacts, runningBackend } from './app/stats-view.js';
import { defaultModel, discoverModels, modelName } from './models.js';
import { sampleMemories } from './samples.js';
import { AddForm, type NewMemory, type Scope } from './ui/add-form.js';
import { BackupPanel } from './ui/backup-panel.js';
import { BulkPanel } from './ui/bulk-panel.js';
import { byId, formatInt } from './ui/dom.js';
import { EnginePanel, type EngineChoice, type LoadingView } from './ui/engine-panel.js';
import { MemoryDialog } from './ui/memory-dialog.js';
import { Notices } from './ui/notices.js';
import { ResultsList, type MemoryView } from './ui/results-list.js';
import { SearchPanel, type SearchRequest } from './ui/search-panel.js';
import { StatsPanel } from './ui/stats-panel.js';
import { StatusPill } from './ui/status-pill.js';

const params = new URLSearchParams(location.search);
const models = discoverModels();
const settings: Settings = loadSettings(defaultModel(models), params);
const samples = sampleSize(params);

const notices = new Notices(byId('notices', HTMLDivElement));
notices.catchUnhandled();
const status = new StatusPill();
const meter = new RateMeter(30, 1000);
const sampler = new StatsSampler();
const lister = new Lister();
let bulkRunning = false;
let memoriesInScope: number | undefined;

const session = new Session((state) => {
  enginePanel.setBusy(state === 'loading' || bulkRunning);
  bulkPanel.setEnabled(state === 'ready' && !bulkRunning);
  backupPanel.setEnabled(state === 'ready');
});

const enginePanel = new EnginePanel(models, settings, (choice) => void startEngine(choice));
const addForm = new AddForm(
  { userId: settings.userId, agentId: settings.agentId },
  {
    onAdd: addMemory,
    onScopeChange: (scope) => {
      Object.assign(settings, scope);
      saveSettings(settings);
      void refresh();
    },
  },
);
const searchPanel = new SearchPanel(() => void refresh());
const results = new ResultsList({
  onEdit: (item) => void dialog.open(item, 'edit'),
  onHistory: (item) => void dialog.open(item, 'history'),
  onDelete: (item) => void removeMemory(item),
});
const dialog = new MemoryDialog({
  loadHistory: async (id) => (await guarded((memory) => memory.history(id), 'History')) ?? [],
  // The dialog edits the whole metadata object: a category it cleared must go, so it replaces rather than merges.
  save: async (item, patch) =>
    (await guarded((memory) => memory.update(item.id, { ...patch, replace: true }), 'Saving')) !== undefined &&
    (void refresh(), true),
  remove: removeMemory,
});
const bulkPanel = new BulkPanel(samples, { onBulkAdd: () => void runBulkAdd(), onClear: () => void clearScope() });
const backupPanel = new BackupPanel({
  onDownload: () => void downloadBackup(),
  onRestore: (file) => void restoreBackup(file),
});
const statsPanel = new StatsPanel();
bulkPanel.setEnabled(false);
backupPanel.setEnabled(false);

/** Runs `fn` on the ready memory; a failure becomes a notice and resolves undefined. */
async function guarded<T>(
  fn: (memory: NonNullable<Session['memory']>) => Promise<T>,
  context: string,
): Promise<T | undefined> {
  const memory = session.memory;
  if (!memory) {
    notices.error(new Error('The engine is not ready yet; wait until the status says Ready.'), context);
    return undefined;
  }
  try {
    return await fn(memory);
  } catch (error) {
    notices.error(error, context);
    return undefined;
  }
}

function loadingView(event: LoadEvent, choice: EngineChoice): LoadingView | undefined {
  const name = modelName(choice.model);
  switch (event.stage) {
    case 'fetch':
      return event.total
        ? {
            text: `Downloading ${name}`,
            fraction: (event.loaded ?? 0) / event.total,
            loaded: event.loaded,
            total: event.total,
          }
        : { text: `Downloading ${name}` };
    case 'session':
      return { text: `Starting worker ${(event.worker ?? 0) + 1}…` };
    case 'warmup':
      return { text: `Warming up worker ${(event.worker ?? 0) + 1}…` };
    case 'ready':
      return undefined;
    default:
      return { text: `Loading ${name}…` };
  }
}

async function startEngine(choice: EngineChoice): Promise<void> {
  if (choice.model === '') {
    notices.error(new Error('Type the URL of a model folder, e.g. /models/all-MiniLM-L6-v2'), 'Model');
    return;
  }
  const name = modelName(choice.model);
  status.set('loading', `Loading ${name}…`);
  enginePanel.showLoading({ text: `Loading ${name}…` });
  try {
    const memory = await session.start(choice, (event) => enginePanel.showLoading(loadingView(event, choice)));
    Object.assign(settings, {
      model: choice.model,
      backend: choice.backend,
      variant: choice.variant,
      workers: choice.workers,
    });
    saveSettings(settings);
    sampler.reset();
    showReady(memory, name);
    await refresh(true);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return; // A newer restart took over.
    const running = session.memory;
    // A start refused before anything closed (WebGPU missing) leaves the running engine in place.
    if (running && session.choice) showReady(running, modelName(session.choice.model));
    else status.set('failed', `Engine failed to start (${name})`);
    notices.error(error, 'Engine');
  } finally {
    if (session.state !== 'loading') enginePanel.showLoading(undefined);
  }
}

function showReady(memory: NonNullable<Session['memory']>, name: string): void {
  const stats = memory.stats();
  const facts = engineFacts(stats);
  const backend = runningBackend(stats) ?? 'wasm';
  const workers = facts.find(([term]) => term === 'Workers')?.[1] ?? '?';
  document.body.dataset['backend'] = backend;
  status.set(
    'ready',
    `Ready · ${backend === 'webgpu' ? 'WebGPU' : 'WASM'} · ${workers} worker${workers === '1' ? '' : 's'} · ${name}`,
  );
  enginePanel.showFacts(facts);
}

/** Redraws the list; `changed`: memories were added or deleted, so the scope must be counted again. */
async function refresh(changed = false): Promise<void> {
  if (changed) lister.invalidate();
  const memory = session.memory;
  const scope = addForm.scope();
  const request: SearchRequest | undefined = searchPanel.request();
  if (!memory || !request || scope.userId === '') return;
  try {
    const listing = await lister.list(memory, scope, request);
    if (!listing) return;
    memoriesInScope = listing.total;
    results.render(listing.items, listing.heading, listing.emptyText, listing.latest);
  } catch (error) {
    notices.error(error, request.query ? 'Search' : 'Listing');
  }
}

async function addMemory(item: NewMemory): Promise<boolean> {
  const added = await guarded(
    (memory) =>
      memory.add(item.text, {
        userId: item.scope.userId,
        ...(item.scope.agentId ? { agentId: item.scope.agentId } : {}),
        metadata: item.metadata,
      }),
    'Adding',
  );
  if (!added) return false;
  meter.record();
  await refresh(true);
  return true;
}

async function removeMemory(item: MemoryView): Promise<boolean> {
  const done = await guarded((memory) => memory.delete(item.id).then(() => true), 'Deleting');
  if (done) await refresh(true);
  return done === true;
}

async function clearScope(): Promise<void> {
  const scope: Scope = addForm.scope();
  const who = scope.agentId ? `${scope.userId} (agent ${scope.agentId})` : scope.userId;
  if (!confirm(`Delete every memory of ${who}? Their history keeps a DELETE entry.`)) return;
  const outcome = await guarded(
    (memory) => memory.deleteAll({ userId: scope.userId, ...(scope.agentId ? { agentId: scope.agentId } : {}) }),
    'Clearing',
  );
  if (outcome) bulkPanel.message(`Deleted ${formatInt(outcome.deleted)} memories of ${who}.`);
  await refresh(true);
}

async function downloadBackup(): Promise<void> {
  const parts: string[] = [];
  const done = await guarded(async (memory) => {
    for await (const line of memory.export()) parts.push(line);
    return true;
  }, 'Backup');
  if (!done) return;
  const name = `agentmem-backup-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.jsonl`;
  backupPanel.save(new Blob(parts, { type: 'application/x-ndjson' }), name);
  backupPanel.message(`Saved ${formatInt(parts.length - 1)} memories to ${name}.`);
}

async function restoreBackup(file: File): Promise<void> {
  backupPanel.message(`Restoring ${file.name}…`);
  const result = await guarded(
    (memory) =>
      memory.import(file, {
        onProgress: ({ done, total }) => backupPanel.message(`Restoring… ${formatInt(done)} / ${formatInt(total)}`),
      }),
    'Restore',
  );
  if (!result) return backupPanel.message('');
  const skipped = result.skipped ? `, ${formatInt(result.skipped)} already here (kept)` : '';
  const embedded = result.reembedded ? `, ${formatInt(result.reembedded)} embedded again` : '';
  backupPanel.message(`Restored ${formatInt(result.imported)} memories${skipped}${embedded}.`);
  await refresh(true);
}

async function runBulkAdd(): Promise<void> {
  const memory = session.memory;
  const scope = addForm.scope();
  if (!memory || bulkRunning) return;
  if (scope.userId === '') {
    notices.error(new Error('Type a user first: the sample memories are added for that user.'), 'Sample data');
    return;
  }
  bulkRunning = true;
  enginePanel.setBusy(true);
  bulkPanel.setEnabled(false);
  // A different seed per run, so a second click adds new memories instead of identical texts.
  const run = Number(sessionStorage.getItem('agentmem-demo:bulk-runs') ?? '0');
  sessionStorage.setItem('agentmem-demo:bulk-runs', String(run + 1));
  const items = sampleMemories(samples, 42 + run);
  bulkPanel.start(items.length);
  let frame = 0;
  let lastRefresh = performance.now();
  try {
    const outcome = await bulkAdd(memory, items, scope, meter, (done, failed) => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        bulkPanel.update({ done, failed, total: items.length, perSecond: meter.perSecond() });
        if (performance.now() - lastRefresh > 1500) {
          lastRefresh = performance.now();
          void refresh(true);
        }
      });
    });
    cancelAnimationFrame(frame);
    frame = 0;
    bulkPanel.finish(outcome.done, outcome.failed, outcome.seconds);
    if (outcome.error !== undefined) notices.error(outcome.error, `Sample data (${formatInt(outcome.failed)} failed)`);
  } finally {
    bulkRunning = false;
    enginePanel.setBusy(session.state === 'loading');
    bulkPanel.setEnabled(session.state === 'ready');
    await refresh(true);
  }
}

function tickStats(): void {
  const memory = session.memory;
  statsPanel.render(sampler.view(memory?.stats(), meter, memory ? memoriesInScope : undefined));
}

// Another tab on the same database may have changed the memories: recount and redraw when this one comes back.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !bulkRunning) void refresh(true);
});

statsPanel.render(sampler.view(undefined, meter, undefined));
setInterval(tickStats, 500);
void startEngine({
  model: settings.model,
  backend: settings.backend,
  variant: settings.variant,
  workers: settings.workers,
});
