// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';

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
