/**
 * The built Node entry and its test hooks, as a consumer's Node loads them (worker threads need the compiled
 * `.js` worker files beside them), typed from the sources.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(import.meta.dirname, '../../dist/lib');

export const lib = (await import(
  /* @vite-ignore */ pathToFileURL(resolve(dist, 'node.js')).href
)) as typeof import('../../src/node.js');

export const hooks = (await import(
  /* @vite-ignore */ pathToFileURL(resolve(dist, 'node/test-hooks.js')).href
)) as typeof import('../../src/node/test-hooks.js');

export const MODELS = resolve(import.meta.dirname, '../../public/models');

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
