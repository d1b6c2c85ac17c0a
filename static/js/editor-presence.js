// Presence: every few seconds the page says it is open (and whether it has unsaved changes); the server answers
// with who else has the story open, and whether someone saved it since this page loaded.
const root = document.querySelector(".story-editor[data-presence-url]");
const form = root?.closest("form");

if (form) {
  const board = document.getElementById("story-presence");
  let delay = 10;
  const poll = async () => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    body.append("loaded_version", root.dataset.loadedVersion);
    try {
      const response = await fetch(root.dataset.presenceUrl, { method: "POST", body, credentials: "same-origin" });
      if (response.ok) show(await response.json());
    } finally {
      setTimeout(poll, delay * 1000);
    }
  };

  const show = (reply) => {
    delay = reply.poll_seconds;
    const lines = reply.editing.map(({ text }) => {
      const p = document.createElement("p");
      p.className = "presence-editing";
      p.textContent = text;
      return p;
    });
    if (reply.saved_by_other) {
      const p = document.createElement("p");
      p.className = "presence-saved";
      p.append(`${reply.saved_by_other.text} `);
      const link = document.createElement("a");
      link.href = reply.saved_by_other.url;
      link.target = "_blank";
      link.textContent = "See what changed (opens in a new tab)";
      p.append(link);
      lines.push(p);
    }
    board.replaceChildren(...lines);
    board.hidden = lines.length === 0;
  };
  poll();
}
