/** Fills a `<select>` with the sample categories, after a first option that means "none". */
import { CATEGORIES } from '../samples.js';
import { el } from './dom.js';

export function fillCategories(select: HTMLSelectElement, noneLabel: string): void {
  select.replaceChildren(
    el('option', { value: '' }, noneLabel),
    ...CATEGORIES.map((category) => el('option', { value: category }, category[0]!.toUpperCase() + category.slice(1))),
  );
}
