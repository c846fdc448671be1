// The wizard's remembered choices: loaded at launch, remembered a moment after each change, and the theme
// drawn from them. The choices are the Rust type (never a secret), each with a value here.
import { useCallback, useEffect, useRef, useState } from "react";

import * as backend from "../backend";
import type { Theme } from "../backend";

/** Every remembered choice, each with a value (the defaults until one is chosen). */
export type Choices = Required<backend.Choices>;

/** The choices before any is made or remembered. */
export const DEFAULT_CHOICES: Choices = {
  profile: "",
  region: "",
  template: "",
  system: "",
  model: "",
  maxTokens: 1024,
  params: { invocation: null, temperature: null, topP: null },
  target: { roleArn: "", inputUri: "", outputUri: "" },
  theme: "system",
  answer: { shape: "free_text" },
};

/** The theme to draw in: the chosen one, or the system's when the choice is "system". */
export function resolvedTheme(theme: Theme, systemPrefersDark: boolean): "light" | "dark" {
  if (theme === "system") return systemPrefersDark ? "dark" : "light";
  return theme;
}

/**
 * The remembered choices and how to change one. `onLoaded` is called once with the choices read at launch
 * (the app then connects with their profile); until then nothing is remembered, so the defaults never
 * overwrite the saved choices.
 */
export function useChoices(onLoaded: (choices: Choices) => Promise<void>) {
  const [choices, setChoices] = useState<Choices>(DEFAULT_CHOICES);
  const [loaded, setLoaded] = useState(false);
  const first = useRef(onLoaded);

  const choose = useCallback(<K extends keyof Choices>(key: K, value: Choices[K]) => setChoices((c) => ({ ...c, [key]: value })), []);

  useEffect(() => {
    backend
      .loadChoices()
      .then((saved) => {
        const merged: Choices = { ...DEFAULT_CHOICES, ...saved };
        setChoices(merged);
        return first.current(merged);
      })
      .catch(() => undefined)
      .finally(() => setLoaded(true));
  }, []);

  // Remember the choices a moment after they change.
  useEffect(() => {
    if (!loaded) return;
    const timer = setTimeout(() => void backend.rememberChoices({ ...choices }).catch(() => undefined), 500);
    return () => clearTimeout(timer);
  }, [choices, loaded]);

  // The theme is an attribute on the document that the style sheet picks its colours from; "system"
  // follows the system's preference, also when it changes while the app is open.
  useEffect(() => {
    const query = window.matchMedia?.("(prefers-color-scheme: dark)");
    const apply = () => {
      document.documentElement.dataset.theme = resolvedTheme(choices.theme, query?.matches ?? false);
    };
    apply();
    query?.addEventListener("change", apply);
    return () => query?.removeEventListener("change", apply);
  }, [choices.theme]);

  return { choices, choose };
}
