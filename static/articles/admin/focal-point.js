// The focal point of a library image, chosen by clicking on its preview (ImageAdmin.preview).
//
// A click sets the form's focal_point_x and focal_point_y (fractions of the width and height,
// from the top left, three decimals) and moves the marker there; typing in those two number
// fields, the keyboard's way to the same values, moves the marker too. Saving the form stores
// them, and the server re-crops the share card around the new point. Where the fields are not
// editable, the marker only shows the stored point.

function fraction(value) {
  const number = Number.parseFloat(value);
  return Number.isFinite(number) ? Math.min(1, Math.max(0, number)) : null;
}

function attach(frame) {
  const form = frame.closest("form");
  const inputs = {
    x: form?.querySelector("input[name=focal_point_x]"),
    y: form?.querySelector("input[name=focal_point_y]"),
  };
  const picture = frame.querySelector("img");
  const marker = frame.querySelector(".focal-point-marker");
  if (!picture || !marker) return;

  function stored() {
    if (inputs.x && inputs.y) return { x: fraction(inputs.x.value), y: fraction(inputs.y.value) };
    return { x: fraction(frame.dataset.focalPointX), y: fraction(frame.dataset.focalPointY) };
  }

  function place() {
    const { x, y } = stored();
    // No point set: the share card is cropped around the centre, which the marker then shows.
    marker.classList.toggle("focal-point-marker--default", x === null || y === null);
    marker.style.left = `${(x ?? 0.5) * 100}%`;
    marker.style.top = `${(y ?? 0.5) * 100}%`;
    marker.hidden = false;
  }

  if (inputs.x && inputs.y) {
    frame.classList.add("focal-point-frame--editable");
    picture.addEventListener("click", (event) => {
      const box = picture.getBoundingClientRect();
      const at = {
        x: fraction(((event.clientX - box.left) / box.width).toFixed(3)),
        y: fraction(((event.clientY - box.top) / box.height).toFixed(3)),
      };
      for (const axis of ["x", "y"]) {
        inputs[axis].value = String(at[axis]);
        inputs[axis].dispatchEvent(new Event("input", { bubbles: true }));
        inputs[axis].dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    for (const input of Object.values(inputs)) input.addEventListener("input", place);
  } else {
    // Nothing to choose here: the hint about clicking would mislead.
    frame.parentElement.querySelector(".focal-point-hint")?.remove();
  }
  place();
}

for (const frame of document.querySelectorAll(".focal-point-frame")) attach(frame);
