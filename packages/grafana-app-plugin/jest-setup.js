// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';

// Beacon: @grafana/i18n initialises i18next on the first t() of a @grafana/ui component, with no
// option to pass; i18next then prints its Locize support notice (console.info) once per test file.
// Grafana's own init never prints it (NODE_ENV=production); this is i18next's switch for the rest.
process.env.I18NEXT_NO_SUPPORT_NOTICE = 'true';

// Beacon: CI runs on 2 shared cores; give findBy/waitFor room before they call a slow render a failure.
configure({ asyncUtilTimeout: 15_000 });

// Beacon: jsdom has no canvas; @grafana/ui's Combobox measures option text with a 2D context.
HTMLCanvasElement.prototype.getContext = () => ({
  measureText: (text) => ({ width: String(text).length * 7 }),
  font: '',
});

// Beacon: jsdom has no IntersectionObserver, which Combobox's option list uses.
global.IntersectionObserver = class {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
};
