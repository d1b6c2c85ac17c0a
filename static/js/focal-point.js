// Focal-point picker for the hero image: a click on the preview writes the point, as percentages, into the
// two number inputs the server validates; typing in the inputs moves the marker. Without JS the inputs still work.
document.addEventListener("DOMContentLoaded", () => {
  for (const picker of document.querySelectorAll(".focal-picker")) {
    const xInput = document.getElementById(picker.dataset.xInput);
    const yInput = document.getElementById(picker.dataset.yInput);
    const image = picker.querySelector("img");
    const marker = picker.querySelector(".focal-marker");
    const place = () => {
      marker.style.left = `${xInput.value || 50}%`;
      marker.style.top = `${yInput.value || 50}%`;
    };
    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect();
      xInput.value = Math.round(((event.clientX - box.left) / box.width) * 100);
      yInput.value = Math.round(((event.clientY - box.top) / box.height) * 100);
      place();
    });
    xInput.addEventListener("input", place);
    yInput.addEventListener("input", place);
    place();
  }
});
