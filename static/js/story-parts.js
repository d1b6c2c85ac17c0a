// A quote, reference or byline added to the story goes after the others: its position is set to one more than
// the highest already on the page, so the writer never has to number rows to avoid a "duplicate position".
document.addEventListener("formset:added", (event) => {
  const row = event.target;
  const position = row.querySelector("input[name$='-position']");
  if (!position) return;
  const group = row.closest(".inline-group");
  const taken = [...group.querySelectorAll(".inline-related:not(.empty-form) input[name$='-position']")]
    .filter((input) => input !== position)
    .map((input) => Number.parseInt(input.value, 10))
    .filter(Number.isFinite);
  position.value = taken.length ? Math.max(...taken) + 1 : 0;
});
