// Live preview: the unsaved form rendered by the server through the real article template, shown in a side
// panel and redrawn a moment after each change, at a desktop or a mobile width.
const root = document.querySelector(".story-editor[data-preview-url]");
const form = root?.closest("form");
const PREVIEW_DELAY_MS = 700;
const WIDTHS = { desktop: 1100, mobile: 375 };

if (form) {
  const toggle = document.querySelector("[data-preview-toggle]");
  const panel = document.getElementById("story-preview");
  const frame = panel.querySelector("iframe");
  const settings = document.getElementById("story-settings");
  let timer;

  const render = async () => {
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) if (value instanceof File) data.delete(name);
    const response = await fetch(root.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" });
    if (response.ok) frame.srcdoc = await response.text();
  };

  const fit = () => {
    const width = WIDTHS[panel.dataset.width];
    const scale = Math.min(1, panel.clientWidth / width);
    frame.style.width = `${width}px`;
    frame.style.height = `${Math.round(panel.clientHeight / scale)}px`;
    frame.style.transform = `scale(${scale})`;
  };

  toggle.addEventListener("click", () => {
    const open = panel.hidden;
    panel.hidden = !open;
    settings.hidden = open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Close preview" : "Preview";
    if (open) {
      fit();
      render();
    }
  });
  for (const button of panel.querySelectorAll("[data-width]")) {
    button.addEventListener("click", () => {
      panel.dataset.width = button.dataset.width;
      for (const other of panel.querySelectorAll("[data-width]")) {
        other.setAttribute("aria-pressed", String(other === button));
      }
      fit();
    });
  }
  window.addEventListener("resize", () => panel.hidden || fit());
  form.addEventListener("story:changed", () => {
    if (panel.hidden) return;
    clearTimeout(timer);
    timer = setTimeout(render, PREVIEW_DELAY_MS);
  });
}
