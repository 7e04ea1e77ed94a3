import React, { useMemo } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { MultiSelect, getSelectStyles, useStyles2 } from '@grafana/ui';

interface Props {
  /** What is filtered (the Field's label): names the list of options. */
  label: string;
  /** The input's id: the Field's label names it (`<label for>`), for screen readers and clicks. */
  inputId: string;
  testId: string;
  values: readonly string[];
  /** Values to offer; any other can be typed (a service the tracker has not reported yet). */
  known: readonly string[];
  /** What a value is shown as (a project's name for its id); the value itself when absent. */
  labelOf?: (value: string) => string;
  /** Whether values other than the known ones can be typed (not so for ids). */
  typed?: boolean;
  width: number;
  onChange: (values: string[]) => void;
}

/**
 * A filter on several values at once (any of them matches). Values are trimmed and given once;
 * an empty selection is no filter. Chosen values the options lack (typed, or from the URL) are
 * shown all the same.
 *
 * Grafana's MultiSelect, though deprecated for MultiCombobox: MultiSelect wraps to show every
 * chosen value, where MultiCombobox (12.4) shows those that fit its width and only a count of
 * the rest, which hides what a shared link filters by.
 */
export function MultiValueFilter({
  label,
  inputId,
  testId,
  values,
  known,
  labelOf = (value) => value,
  typed = true,
  width,
  onChange,
}: Props) {
  const options = useMemo(
    () => [...new Set([...known, ...values])].map((value) => ({ label: labelOf(value), value })),
    [known, values, labelOf]
  );
  return (
    <div data-testid={testId}>
      {/* eslint-disable-next-line @typescript-eslint/no-deprecated -- see above */}
      <MultiSelect<string, { menuLabel: string }>
        menuLabel={`${label} options`}
        inputId={inputId}
        options={options}
        value={[...values]}
        allowCustomValue={typed}
        isClearable
        // react-select blurs after a choice where touch events exist (jsdom, touch screens): focus
        // stays, so a keyboard user can choose the next value or go on with Tab.
        blurInputOnSelect={false}
        placeholder="All"
        components={{ MenuList, NoOptionsMessage }}
        width={width}
        onChange={(chosen) =>
          onChange([...new Set(chosen.map((option) => option.value?.trim() ?? '').filter(Boolean))])
        }
      />
    </div>
  );
}

/** What react-select gives a menu list component (the parts used here). */
interface MenuListProps {
  children?: React.ReactNode;
  innerRef: React.Ref<HTMLDivElement>;
  innerProps: React.HTMLAttributes<HTMLDivElement> & { 'aria-multiselectable'?: boolean };
  maxHeight: number;
  selectProps: { menuLabel?: string };
}

/** The menu's text when no value is left to offer (every one chosen): no option, see MenuList. */
function NoOptionsMessage({ children }: { children?: React.ReactNode }) {
  const select = useStyles2(getSelectStyles);
  return <div className={select.loadingMessage}>{children}</div>;
}

/**
 * Grafana's Select menu with the listbox (react-select's `innerProps`: role, id, multiselectable)
 * scrolling itself. Grafana's own puts a focusable scroll container (tabindex 0) between the
 * listbox and its options, which axe reports as a WCAG 1.3.1 violation (aria-required-children:
 * a listbox holds options only). The input keeps the focus; the arrow keys move through the
 * options, and react-select scrolls the listbox to the one they reach. With no option to offer,
 * the menu holds only NoOptionsMessage's text, and is no listbox: one without options is the
 * same violation (aria-required-children, which Grafana's own message raised).
 */
function MenuList({ children, innerRef, innerProps, maxHeight, selectProps }: MenuListProps) {
  const select = useStyles2(getSelectStyles);
  const s = useStyles2(getStyles);
  const empty = React.Children.toArray(children).some(
    (child) => React.isValidElement(child) && child.type === NoOptionsMessage
  );
  const { role, 'aria-multiselectable': multiselectable, ...rest } = innerProps;
  return (
    <div
      {...(empty ? rest : { ...rest, role, 'aria-multiselectable': multiselectable })}
      ref={innerRef}
      aria-label={empty ? undefined : selectProps.menuLabel}
      className={cx(select.menu, s.list)}
      style={{ maxHeight }}
    >
      {children}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ overflowX: 'hidden', overflowY: 'auto', padding: theme.spacing(0.5) }),
});
