// The share-link panel: "Make a link" and "Revoke" ask the server and put the panel it returns in place;
// "Copy" puts a link on the clipboard. Buttons, not forms: the panel sits inside the story's own form.
const csrfToken = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;

async function replacePanel(panel, url, fields, done) {
  const body = new FormData();
  body.append("csrfmiddlewaretoken", csrfToken());
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
  if (!response.ok) {
    panel.querySelector(".share-links-status").textContent = "That did not work: reload the page and try again.";
    return;
  }
  const template = document.createElement("template");
  template.innerHTML = await response.text();
  const fresh = template.content.firstElementChild;
  panel.replaceWith(fresh);
  fresh.querySelector(".share-links-status").textContent = done;
  fresh.querySelector("[data-share-make]")?.focus();
}

async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
}

document.addEventListener("click", async (event) => {
  const panel = event.target.closest(".share-links");
  if (!panel) return;
  const button = event.target.closest("button");
  if (!button) return;
  if (button.matches("[data-copy]")) {
    await copy(document.getElementById(button.dataset.copy));
    panel.querySelector(".share-links-status").textContent = "Link copied.";
  } else if (button.matches("[data-share-make]")) {
    const days = panel.querySelector("[data-share-days]").value;
    await replacePanel(panel, panel.dataset.makeUrl, { days }, "New link made.");
  } else if (button.matches("[data-share-revoke]")) {
    await replacePanel(panel, button.dataset.shareRevoke, {}, "Link revoked: it no longer works.");
  }
});
