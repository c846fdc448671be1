// Shows that the window talks to the Rust core.
window.addEventListener("DOMContentLoaded", async () => {
  const info = document.getElementById("info");
  try {
    const app = await window.__TAURI__.core.invoke("app_info");
    info.textContent = `Core ${app.version} · prices of ${app.prices_as_of} for ${app.priced_models} models`;
  } catch (error) {
    info.textContent = `The core did not answer: ${error}`;
  }
});
