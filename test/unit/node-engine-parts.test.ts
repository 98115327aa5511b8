/**
 * The Node entry's pure parts: where a `model` string points, and the native backend's settings.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelLoadError, ValidationError } from '../../src/errors.js';
import { checkOptions, settingsFor } from '../../src/engine/options.js';
import { resolveNodeModel } from '../../src/node/model-files.js';

const nodeBackends = ['auto', 'native', 'wasm'] as const;

describe('resolveNodeModel', () => {
  it('turns relative and absolute folder paths into file: folder URLs', () => {
    expect(resolveNodeModel('./models/use-lite')).toBe(`${pathToFileURL(resolve('models/use-lite')).href}/`);
    expect(resolveNodeModel('/srv/models/x/')).toBe('file:///srv/models/x/');
    expect(resolveNodeModel('models with spaces/x')).toBe(`${pathToFileURL(resolve('models with spaces/x')).href}/`);
  });

  it('keeps file: and http(s) URLs, as folders', () => {
    expect(resolveNodeModel('file:///srv/models/x')).toBe('file:///srv/models/x/');
    expect(resolveNodeModel('https://example.test/models/x')).toBe('https://example.test/models/x/');
  });

  it('rejects other schemes with ModelLoadError', () => {
    expect(() => resolveNodeModel('ftp://example.test/x')).toThrow(ModelLoadError);
    expect(() => resolveNodeModel('data:,x')).toThrow(/a folder path, a file: URL or an http\(s\) URL/);
  });
});

describe('native settings', () => {
  const env = { hardwareConcurrency: 2, crossOriginIsolated: false };

  it('defaults to one single-threaded worker per core, threads taken without isolation', () => {
    const native = settingsFor(checkOptions({ model: 'm' }, nodeBackends), 'native', env);
    expect(native).toMatchObject({ backend: 'native', workers: 2, threads: 1, pipelineDepth: 1 });
    const threaded = settingsFor(checkOptions({ model: 'm', threads: 2 }, nodeBackends), 'native', env);
    expect(threaded).toMatchObject({ workers: 1, threads: 2 });
    // WASM in Node has no threads (no cross-origin isolation): the option is kept but not used.
    expect(settingsFor(checkOptions({ model: 'm', threads: 2 }, nodeBackends), 'wasm', env).threads).toBe(1);
  });

  it('rejects more threads than cores', () => {
    expect(() =>
      settingsFor(checkOptions({ model: 'm', workers: 2, threads: 2 }, nodeBackends), 'native', env),
    ).toThrow(new ValidationError('Expected `workers` × `threads` to be at most the available cores (2), got 2 × 2'));
  });

  it("accepts 'native' only where the entry offers it", () => {
    expect(checkOptions({ model: 'm', backend: 'native' }, nodeBackends).backend).toBe('native');
    expect(() => checkOptions({ model: 'm', backend: 'native' })).toThrow(ValidationError);
  });
});
