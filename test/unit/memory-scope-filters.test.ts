import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { listScope } from '../../src/memory/scope-filters.js';
import type { GetAllOptions, SearchOptions } from '../../src/index.js';

describe('search/getAll scope in both call shapes', () => {
  it("today's shape: scope beside the filters, which stay metadata filters", () => {
    expect(listScope({ userId: 'alice', filters: { category: 'food' } })).toEqual({
      scope: { userId: 'alice' },
      filters: { category: 'food' },
    });
    expect(listScope({ agentId: 'planner' })).toEqual({ scope: { agentId: 'planner' }, filters: undefined });
  });

  it("Mem0 v3's shape: scope ids inside filters, snake_case or camelCase, taken out of the metadata filters", () => {
    expect(listScope({ filters: { user_id: 'alice' } })).toEqual({ scope: { userId: 'alice' }, filters: undefined });
    expect(listScope({ filters: { userId: ' alice ', agent_id: 'planner', run_id: 'r1', tag: 'x' } })).toEqual({
      scope: { userId: 'alice', agentId: 'planner', runId: 'r1' },
      filters: { tag: 'x' },
    });
    // In the top-level AND (Mem0 Platform's form) a scope id holds just the same.
    expect(listScope({ filters: { AND: [{ user_id: 'alice' }, { tag: 'x' }] } })).toEqual({
      scope: { userId: 'alice' },
      filters: { AND: [{}, { tag: 'x' }] },
    });
    expect(listScope({ filters: { $and: [{ agentId: 'a', tag: { ne: 'y' } }] } })).toEqual({
      scope: { agentId: 'a' },
      filters: { $and: [{ tag: { ne: 'y' } }] },
    });
  });

  it('a scope given twice: the same id is fine, two ids are a ValidationError naming both', () => {
    expect(listScope({ userId: 'alice', filters: { user_id: 'alice ' } }).scope).toEqual({ userId: 'alice' });
    expect(listScope({ filters: { userId: 'a', user_id: 'a', AND: [{ user_id: 'a' }] } }).scope).toEqual({
      userId: 'a',
    });
    expect(() => listScope({ userId: 'alice', filters: { user_id: 'bob' } })).toThrow(
      'Expected one scope, got `options.userId` = "alice" and `options.filters.user_id` = "bob"; give it once (or the same id twice)',
    );
    expect(() => listScope({ filters: { userId: 'a', user_id: 'b' } })).toThrow(ValidationError);
    expect(() => listScope({ filters: { user_id: 'a', AND: [{ user_id: 'b' }] } })).toThrow(
      '`options.filters.AND[0].user_id` = "b"',
    );
  });

  it('scope ids inside filters are checked like top-level ones', () => {
    expect(() => listScope({ filters: { user_id: 'al ice' } })).toThrow(
      'Expected `options.filters.user_id` to be an id without whitespace inside',
    );
    expect(() => listScope({ filters: { user_id: '' } })).toThrow(ValidationError);
    expect(() => listScope({ filters: { user_id: { in: ['a', 'b'] } } })).toThrow(
      'Expected `options.filters.user_id` to be a non-empty string',
    );
    expect(() => listScope({ filters: { user_id: '*' } })).toThrow(/to name one user, got `"\*"`/);
  });

  it('a scope id inside OR or NOT is a ValidationError (it would silently match no metadata)', () => {
    expect(() => listScope({ userId: 'a', filters: { OR: [{ user_id: 'b' }, { tag: 'x' }] } })).toThrow(
      /scope id `options\.filters\.OR\[0\]\.user_id` at the top of `options\.filters`/,
    );
    expect(() => listScope({ userId: 'a', filters: { $not: { agentId: 'p' } } })).toThrow(ValidationError);
    expect(() => listScope({ filters: { user_id: 'a', AND: [{ OR: [{ run_id: 'r' }] }] } })).toThrow(
      'options.filters.AND[0].OR[0].run_id',
    );
    // Deeper than filters may nest: left to compileFilter's depth check, never a stack overflow here.
    let deep: Record<string, unknown> = { user_id: 'x' };
    for (let i = 0; i < 100_000; i++) deep = { OR: [deep] };
    expect(() => listScope({ userId: 'a', filters: deep })).not.toThrow();
  });

  it('no scope in either place is a ValidationError that names both shapes', () => {
    expect(() => listScope({})).toThrow(/`userId`, `agentId` or `runId`, or Mem0's `filters: \{ user_id \}`/);
    expect(() => listScope({ filters: { tag: 'x' } })).toThrow(ValidationError);
    expect(() => listScope({ filters: { OR: [{ user_id: 'a' }] } })).toThrow(ValidationError);
  });
});

describe('the option types take both shapes', () => {
  it('compiles v3 and today shapes, and rejects a typo at compile time', () => {
    const v3: SearchOptions = {
      filters: { user_id: 'alice', category: { in: ['work', 'travel'] }, OR: [{ tag: '*' }] },
      topK: 5,
      threshold: 0.1,
      explain: true,
      showExpired: true,
    };
    const today: SearchOptions = { userId: 'alice', filters: { category: 'work' }, limit: 5 };
    const all: GetAllOptions = { filters: { agentId: 'planner' }, topK: 0 };
    // @ts-expect-error snake_case belongs inside filters only
    const typo: SearchOptions = { user_id: 'alice' };
    expect(listScope(v3 as Record<string, unknown>).scope).toEqual({ userId: 'alice' });
    expect(listScope(today as Record<string, unknown>).scope).toEqual({ userId: 'alice' });
    expect(listScope(all as Record<string, unknown>).scope).toEqual({ agentId: 'planner' });
    expect(typo).toBeDefined();
  });
});
