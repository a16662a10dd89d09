// The upload form's rows (records/_documents.html): each chosen file gets a row of its own
// with its title and date. Without this script the page offers a few empty rows, each with
// its own file input, and works the same.
"use strict";

(() => {
  const canMoveFiles = (() => {
    try {
      return typeof DataTransfer !== "undefined" && new DataTransfer().files !== undefined;
    } catch {
      return false;
    }
  })();

  const stem = (name) => name.replace(/\.[^.]+$/, "").replace(/[_-]+/g, " ").trim();

  function setup(form) {
    if (form.dataset.rowsReady) return;
    form.dataset.rowsReady = "1";
    const rows = form.querySelector("[data-rows]");
    const template = form.querySelector("template[data-row-template]");
    const total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    const max = Number(form.querySelector('input[name$="-MAX_NUM_FORMS"]').value);
    const addButton = form.querySelector("[data-add-row]");
    const pick = form.querySelector("[data-pick]");
    const pickInput = form.querySelector("[data-pick-input]");
    const fileOf = (row) => row.querySelector('input[type="file"]');
    const titleOf = (row) => row.querySelector('input[name$="-title"]');
    const isEmpty = (row) => fileOf(row).files.length === 0 && !titleOf(row).value.trim();
    const allRows = () => [...rows.querySelectorAll("[data-row]")];

    // A file chosen in a row names the row's title when it has none yet.
    const watch = (row) => {
      fileOf(row).addEventListener("change", () => {
        const file = fileOf(row).files[0];
        if (file && !titleOf(row).value.trim()) titleOf(row).value = stem(file.name);
      });
    };

    const addRow = () => {
      const index = Number(total.value);
      if (index >= max) return null;
      const html = template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__num__", String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const row = rows.lastElementChild;
      watch(row);
      // The kit's enhancements (the date picker) for the new row (core/xietong.js).
      if (window.xtEnhance) window.xtEnhance(row);
      return row;
    };

    // The next row to fill: the first empty one (shown if it was waiting), else a new one.
    const emptyRow = () => {
      const row = allRows().find(isEmpty);
      if (!row) return addRow();
      row.hidden = false;
      return row;
    };

    allRows().forEach(watch);
    // One empty row in view; the others wait for "Add another file" (rows with content stay).
    let shown = false;
    for (const row of allRows()) {
      if (!isEmpty(row) || row.querySelector('[aria-invalid="true"]')) continue;
      if (shown) row.hidden = true;
      shown = true;
    }
    addButton.hidden = false;
    addButton.addEventListener("click", () => {
      const row = allRows().find((r) => r.hidden && isEmpty(r)) || addRow();
      if (!row) return;
      row.hidden = false;
      fileOf(row).focus();
    });

    if (!canMoveFiles) return;
    pick.hidden = false;
    pickInput.addEventListener("change", () => {
      for (const file of pickInput.files) {
        const row = emptyRow();
        if (!row) break; // as many rows as one upload takes
        const moved = new DataTransfer();
        moved.items.add(file);
        fileOf(row).files = moved.files;
        if (!titleOf(row).value.trim()) titleOf(row).value = stem(file.name);
      }
      pickInput.value = "";
    });
  }

  const start = (root) => root.querySelectorAll("form[data-upload-rows]").forEach(setup);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => start(document));
  else start(document);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target instanceof Element) start(event.target);
  });
})();
