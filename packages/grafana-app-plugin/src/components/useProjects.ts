import { useCallback } from 'react';
import { useTrackerApi } from '../api/context';
import type { ProjectInfo } from '../api/types';
import { useAsync } from './useAsync';

const NO_PROJECTS: readonly ProjectInfo[] = [];

/**
 * The tracker's projects, to name them and filter by them. None while they load or where they
 * cannot be read: the lists they filter still load, and a project is then named by its id.
 * `enabled` false asks nothing (a page with nothing to show, such as a bad issue id).
 */
export function useProjects(enabled = true): {
  projects: readonly ProjectInfo[];
  /** A project's name, or `project <id>` for one the tracker does not list (any more). */
  nameOf: (id: number | string) => string;
} {
  const api = useTrackerApi();
  const { value } = useAsync(
    (signal) => (enabled ? api.projects({ signal }) : Promise.resolve({ items: NO_PROJECTS })),
    [api, enabled]
  );
  const projects = value?.items ?? NO_PROJECTS;
  const nameOf = useCallback(
    (id: number | string) => projects.find((p) => p.id === Number(id))?.name ?? `project ${id}`,
    [projects]
  );
  return { projects, nameOf };
}

/** Whether a text is a project id as the tracker reads one: 1 to 15 decimal digits, not 0. */
export const isProjectId = (v: string): boolean => /^[0-9]{1,15}$/.test(v) && Number(v) >= 1;

/**
 * Project ids from a URL's `project` parameters: each once, and only what is one, so a mistyped
 * link filters by the rest rather than failing with the tracker's 400.
 */
export function projectIds(params: URLSearchParams): number[] | undefined {
  const ids = params.getAll('project').filter(isProjectId).map(Number);
  return ids.length > 0 ? [...new Set(ids)] : undefined;
}
