import React from 'react';
import { Field } from '@grafana/ui';
import type { ProjectInfo } from '../api/types';
import { MultiValueFilter } from './MultiValueFilter';

const NONE: readonly number[] = [];

/**
 * A list's Project filter: any of the projects chosen, by name. Shown where there is a choice
 * (the tracker lists several projects) or where a link filters by a project already, so that
 * the one-project tracker most teams run has no control that does nothing.
 */
export function ProjectFilter({
  projects,
  nameOf,
  values = NONE,
  inputId,
  testId,
  onChange,
}: {
  projects: readonly ProjectInfo[];
  nameOf: (id: string) => string;
  values?: readonly number[];
  inputId: string;
  testId: string;
  onChange: (ids: string[]) => void;
}) {
  if (projects.length < 2 && values.length === 0) {
    return null;
  }
  return (
    <Field label="Project">
      <MultiValueFilter
        label="Project"
        inputId={inputId}
        testId={testId}
        width={18}
        values={values.map(String)}
        known={projects.map((p) => String(p.id))}
        labelOf={nameOf}
        typed={false}
        onChange={onChange}
      />
    </Field>
  );
}
