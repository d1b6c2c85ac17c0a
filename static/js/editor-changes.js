// Tells the editor's other scripts when the story form changes: typing, choosing, adding or removing an inline
// row, or typing in the rich-text body (whose textarea is written by Tiptap without an input event). They
// listen for "story:changed" on the form.
const form = document.querySelector(".story-editor")?.closest("form");
if (form) {
  const changed = () => form.dispatchEvent(new CustomEvent("story:changed"));
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  document.addEventListener("formset:added", changed);
  document.addEventListener("formset:removed", changed);
  document.addEventListener("prose-editor:ready", (event) => {
    const { editor, textarea } = event.detail;
    textarea.storyEditor = editor;
    editor.on("update", changed);
  });
}
