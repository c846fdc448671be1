/// <reference types="vitest/config" />
// Builds the UI into ui/dist, which the Tauri shell serves (src-tauri/tauri.conf.json: frontendDist).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "safari16", sourcemap: false },
  test: { environment: "jsdom", globals: true, setupFiles: ["src/test-setup.ts"] },
});
