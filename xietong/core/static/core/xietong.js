// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-toggle]");
  if (!button) return;
  const target = document.getElementById(button.getAttribute("data-toggle"));
  if (!target) return;
  const open = target.classList.toggle("open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
