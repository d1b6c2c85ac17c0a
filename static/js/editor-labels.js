// Names, for screen readers, for two controls the admin leaves unnamed: the rich-text body (Tiptap's editable
// area) and the autocomplete boxes (Select2's combobox, named only by its selection, which is empty until
// something is chosen). Each is given its field's own label.
const labelled = (id) => {
  const label = document.querySelector(`label[for="${id}"]`);
  if (label && !label.id) label.id = `${id}-label`;
  return label?.id;
};

const nameComboboxes = () => {
  for (const select of document.querySelectorAll("select.admin-autocomplete")) {
    const box = select.nextElementSibling?.querySelector(".select2-selection[role=combobox]");
    const label = labelled(select.id);
    if (!box || !label) continue;
    const shown = box.querySelector(".select2-selection__rendered");
    box.setAttribute("aria-labelledby", [label, shown?.id].filter(Boolean).join(" "));
    shown?.setAttribute("aria-labelledby", label);
  }
};

document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail;
  const label = labelled(textarea.id);
  if (label) editor.view.dom.setAttribute("aria-labelledby", label);
});
// Django's autocomplete starts Select2 once the page is ready, and again for each row added: name the boxes
// whenever Select2 has put new ones in.
let pending = false;
new MutationObserver((changes) => {
  const added = changes.some((change) =>
    [...change.addedNodes].some((node) => node.nodeType === 1 && node.matches(".select2, .select2 *")),
  );
  if (!added || pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    nameComboboxes();
  });
}).observe(document.body, { childList: true, subtree: true });
