// Small progressive enhancements; every page works without them (a plain select, a text
// date in YYYY-MM-DD). The kit's own parts (dropdowns, the navigation drawer) are Bootstrap's.
"use strict";

document.addEventListener("change", (event) => {
  const el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-fill-target")) fillFrom(el);
});

// A choice that also says something in words (an ICD-10 code and its title): the field of the
// same form that `data-fill-target` names takes the chosen option's text, without the value
// it begins with, when that field is still empty. What the user typed is never replaced.
function fillFrom(select) {
  const target = select.form && select.form.elements.namedItem(select.getAttribute("data-fill-target"));
  const option = select.selectedOptions[0];
  if (!target || !("value" in target) || target.value.trim() || !option || !option.value) return;
  const text = option.text.trim();
  target.value = text.startsWith(option.value) ? text.slice(option.value.length).trim() : text;
}

const zh = () => document.documentElement.lang.startsWith("zh");
// A list longer than this is searched, not scrolled.
const SEARCH_FROM = 12;

// Searchable selects (Tom Select). `data-search-url` loads options from the server as the
// user types ({"options": [{"value", "text"}]}), so a library of thousands is reachable.
function searchableSelect(select) {
  if (select.tomselect || select.multiple && !select.hasAttribute("data-search")) return;
  const url = select.getAttribute("data-search-url");
  // The empty choice ("—") is not an item to show: the control reads "type to search" and,
  // where the field may be left empty, has a button that clears it.
  const settings = {
    maxOptions: 200,
    allowEmptyOption: false,
    placeholder: zh() ? "输入以搜索…" : "Type to search…",
    plugins: select.required ? {} : { clear_button: { title: zh() ? "清除" : "Clear" } },
    searchField: ["text"],
    render: {
      no_results: () => `<div class="no-results">${zh() ? "没有找到" : "Nothing found"}</div>`,
      loading: () => `<div class="spinner-border spinner-border-sm m-2" role="status"></div>`,
    },
  };
  if (url) {
    Object.assign(settings, {
      valueField: "value",
      labelField: "text",
      shouldLoad: (query) => query.length > 0,
      // The server decides what matches, also by what the option does not show (a code's
      // beginning typed without its dot, a word of the English title beside the Chinese
      // one): every option of its answer is offered, in its order, and none of an earlier
      // answer is left among them (the chosen one stays chosen).
      score: () => () => 1,
      sortField: [{ field: "$order" }],
      load: function (query, callback) {
        const sep = url.includes("?") ? "&" : "?";
        fetch(`${url}${sep}q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
          .then((r) => (r.ok ? r.json() : { options: [] }))
          .then((json) => {
            this.clearOptions();
            callback(json.options);
          })
          .catch(() => callback());
      },
    });
  }
  // eslint-disable-next-line no-undef
  new TomSelect(select, settings);
  // Tom Select hides the select; an invalid one shows on the control the user sees.
  if (select.getAttribute("aria-invalid") === "true") {
    select.tomselect.wrapper.setAttribute("aria-invalid", "true");
  }
}

function datePicker(input) {
  if (input._flatpickr || typeof flatpickr === "undefined") return;
  const withTime = input.getAttribute("data-picker") === "datetime";
  // eslint-disable-next-line no-undef
  flatpickr(input, {
    locale: zh() && flatpickr.l10ns.zh ? flatpickr.l10ns.zh : "default",
    allowInput: true,
    enableTime: withTime,
    time_24hr: true,
    dateFormat: withTime ? "Y-m-d H:i" : "Y-m-d",
    minDate: input.getAttribute("data-min") || null,
    maxDate: input.getAttribute("data-max") || null,
  });
}

function enhance(root) {
  if (typeof TomSelect !== "undefined") {
    root.querySelectorAll("select[data-search], select:not([multiple]):not([data-plain])").forEach((select) => {
      if (select.hasAttribute("data-search") || select.options.length > SEARCH_FROM) searchableSelect(select);
    });
  }
  root.querySelectorAll("input[data-picker]").forEach(datePicker);
}

document.addEventListener("DOMContentLoaded", () => {
  enhance(document);
  // A refused form: the page opens on the first field to correct (the summary is above it).
  const invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    const target = invalid.tomselect ? invalid.tomselect.control_input : invalid;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  } else {
    const summary = document.querySelector("[data-form-errors]");
    if (summary) summary.focus();
  }
});
// Fragments that htmx swaps in get the same enhancements, and so does what a page's own
// script adds (window.xtEnhance(element)).
document.addEventListener("htmx:afterSettle", (event) => enhance(event.target));
window.xtEnhance = enhance;
