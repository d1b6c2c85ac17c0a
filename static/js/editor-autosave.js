// Autosave: a few seconds after the last change, and when the page is hidden, the form is sent to the server as
// this person's working copy (never the story itself: only the Save buttons change the story). The reply carries
// the editorial checklist, shown beside the form. Leaving the page with unsaved changes asks first. An autosaved
// copy found on opening the story is offered back.
const root = document.querySelector(".story-editor[data-autosave-url]");
const form = root?.closest("form");
const AUTOSAVE_DELAY_MS = 2000;

function formData() {
  const data = new FormData(form);
  for (const [name, value] of [...data.entries()]) if (value instanceof File) data.delete(name);
  return data;
}

function showChecklist(items) {
  const list = document.getElementById("story-checklist-items");
  if (!list || !items) return;
  list.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement("li");
      li.className = item.ok ? "check-ok" : item.blocks ? "check-blocks" : "check-advice";
      const mark = item.ok ? "Done" : item.blocks ? "Blocks publishing" : "Advice";
      li.textContent = `${mark}: ${item.label}${item.detail ? ` (${item.detail})` : ""}`;
      return li;
    }),
  );
}

if (form) {
  const status = document.querySelector(".autosave-status");
  let dirty = false;
  let submitting = false;
  let timer;
  let sending = Promise.resolve();

  const save = async () => {
    clearTimeout(timer);
    if (!dirty) return;
    const response = await fetch(root.dataset.autosaveUrl, {
      method: "POST",
      body: formData(),
      credentials: "same-origin",
    });
    if (!response.ok) {
      status.textContent = "Autosave failed: save the story before leaving.";
      return;
    }
    const reply = await response.json();
    status.textContent = `Autosaved at ${reply.saved_at} (not yet saved to the story).`;
    showChecklist(reply.checklist);
  };

  const check = async () => {
    const response = await fetch(root.dataset.checkUrl, { method: "POST", body: formData(), credentials: "same-origin" });
    if (response.ok) showChecklist((await response.json()).checklist);
  };

  form.addEventListener("story:changed", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      sending = sending.then(save);
    }, AUTOSAVE_DELAY_MS);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && dirty && !submitting) {
      clearTimeout(timer);
      navigator.sendBeacon(root.dataset.autosaveUrl, formData());
    }
  });
  form.addEventListener("submit", () => {
    submitting = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Restoring: put each autosaved field back, adding inline rows first where the copy has more.
  const offer = document.querySelector(".restore-offer");
  const restore = async () => {
    const reply = await (await fetch(root.dataset.restoreUrl, { credentials: "same-origin" })).json();
    const values = new Map();
    for (const [name, value] of reply.fields) values.set(name, [...(values.get(name) || []), value]);
    for (const [name, [total]] of values) {
      if (!name.endsWith("-TOTAL_FORMS")) continue;
      const prefix = name.slice(0, -"-TOTAL_FORMS".length);
      const add = document.querySelector(`#${prefix}-group .add-row a`);
      while (add && Number(form.elements[name].value) < Number(total)) add.click();
    }
    for (const element of form.elements) {
      if (!element.name || element.type === "file" || element.type === "submit" || element.type === "button") continue;
      if (/-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(element.name) || element.name === "csrfmiddlewaretoken") continue;
      const saved = values.get(element.name);
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Boolean(saved?.includes(element.value || "on"));
      } else if (element.multiple) {
        for (const option of element.options) option.selected = Boolean(saved?.includes(option.value));
      } else if (saved) {
        element.value = saved[0];
        element.storyEditor?.commands.setContent(saved[0]);
      }
    }
    offer.remove();
    form.dispatchEvent(new CustomEvent("story:changed"));
    status.textContent = "Autosaved changes restored: check them, then save.";
  };
  offer?.querySelector("[data-restore]").addEventListener("click", restore);
  offer?.querySelector("[data-discard]").addEventListener("click", async () => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    await fetch(root.dataset.restoreUrl, { method: "POST", body, credentials: "same-origin" });
    offer.remove();
    status.textContent = "Autosaved changes discarded.";
  });
  check();
}
