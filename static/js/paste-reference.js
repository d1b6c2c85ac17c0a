// "Fill in the fields" on a citation: asks the server's reference parser what the pasted text says and writes it
// into the same row's inputs, so the editor checks and corrects them before saving. A field the editor has
// changed since the page loaded is left alone, as the server does on save. Without JS, saving fills them.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-fill-reference]");
  if (!button) return;
  const box = button.closest(".paste-reference");
  const textarea = box.querySelector("textarea");
  const status = box.querySelector(".paste-reference-status");
  const prefix = textarea.name.slice(0, -"paste_reference".length);
  const url = `${box.dataset.parseUrl}?text=${encodeURIComponent(textarea.value)}`;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const reply = await response.json();
  if (!response.ok) {
    status.textContent = reply.error;
    return;
  }
  let filled = 0;
  for (const [name, value] of Object.entries(reply.fields)) {
    const input = textarea.form.elements[prefix + name];
    if (!input) continue;
    if (input.type === "checkbox") {
      if (input.checked !== input.defaultChecked) continue;
      input.checked = value;
    } else {
      if (input.value !== input.defaultValue) continue;
      input.value = value;
    }
    filled += 1;
  }
  status.textContent = `${filled} fields filled from the reference: check them, then save.`;
});
