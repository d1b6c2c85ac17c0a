// The action bar's publish button says "Schedule" while the publication time is in the future, as the server
// will then schedule rather than publish.
const button = document.querySelector("[data-schedule-label]");
const date = document.getElementById("id_published_at_0");
const time = document.getElementById("id_published_at_1");

const relabel = () => {
  const [day, month, year] = (date?.value || "").split("/").map(Number);
  const [hours = 0, minutes = 0] = (time?.value || "").split(":").map(Number);
  const when = year ? new Date(year, month - 1, day, hours, minutes) : null;
  button.textContent = when && when > new Date() ? button.dataset.scheduleLabel : button.dataset.publishLabel;
};
if (button && date) {
  date.addEventListener("input", relabel);
  time?.addEventListener("input", relabel);
  date.addEventListener("change", relabel);
  time?.addEventListener("change", relabel);
}
