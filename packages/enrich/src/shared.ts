import type { ListMatch } from '@vigil/core';

/** The empty list of list matches, shared by every fact without one (frozen). */
export const NO_LISTS: ListMatch[] = Object.freeze([]) as unknown as ListMatch[];
