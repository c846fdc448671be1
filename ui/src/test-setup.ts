// What jsdom lacks and the grid needs, for every vitest suite.
globalThis.ResizeObserver = class {
  observe() {}
  disconnect() {}
  unobserve() {}
} as unknown as typeof ResizeObserver;
