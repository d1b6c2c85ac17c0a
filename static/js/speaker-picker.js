// The quote's Speaker box: suggests people already on file as the name is typed (the admin's autocomplete
// search, which matches names with accents, case and spacing folded) and says whether the name is someone on
// file or will add a new speaker on save. The server decides the same way; this only tells the writer first.
const fold = (name) =>
  name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().split(/\s+/).filter(Boolean).join(" ");

const pending = new WeakMap();

async function suggest(input) {
  const picker = input.closest(".speaker-picker");
  const status = picker.querySelector(".speaker-picker-status");
  const typed = fold(input.value);
  if (!typed) {
    status.textContent = "";
    return;
  }
  const response = await fetch(`${picker.dataset.searchUrl}&term=${encodeURIComponent(input.value)}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return;
  const { results } = await response.json();
  let list = document.getElementById(`${input.id}-suggestions`);
  if (!list) {
    list = document.createElement("datalist");
    list.id = `${input.id}-suggestions`;
    picker.append(list);
    input.setAttribute("list", list.id);
  }
  list.replaceChildren(...results.map(({ text }) => new Option(text)));
  const match = results.find(({ text }) => fold(text) === typed);
  status.textContent = match
    ? `On file: ${match.text}.`
    : `No one called “${input.value.trim()}” on file yet: saving adds them as a new speaker.`;
}

document.addEventListener("input", (event) => {
  const input = event.target.closest("[data-speaker-picker]");
  if (!input) return;
  clearTimeout(pending.get(input));
  pending.set(input, setTimeout(() => suggest(input), 250));
});
