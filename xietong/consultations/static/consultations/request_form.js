// The request form: the expert picker shows when the doctor prefers a named expert, the
// department picker when they prefer a department. Without the script both stay shown.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.xt-request-form");
  if (!form) return;
  const parts = form.querySelectorAll("[data-when-target]");
  const show = () => {
    const chosen = form.querySelector("input[name=preferred_target]:checked");
    parts.forEach((part) => {
      // A part with an error stays in view, whatever is chosen.
      const invalid = part.querySelector('[aria-invalid="true"]');
      part.hidden = !invalid && (!chosen || chosen.value !== part.getAttribute("data-when-target"));
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "preferred_target") show();
  });
  show();
});
