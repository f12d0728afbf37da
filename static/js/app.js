// Small behaviours that need JavaScript. Inline scripts and hx-on are blocked by our CSP,
// so everything lives here and is wired through data- attributes.
(function () {
  "use strict";

  // <button data-copy="1 234">: copy a figure to the clipboard (BPF page).
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    event.preventDefault();
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      const label = button.textContent;
      button.textContent = button.dataset.copiedLabel || "Copied";
      setTimeout(function () { button.textContent = label; }, 1200);
    });
  });

  // <form data-confirm="Delete?">: ask before a destructive submit.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  // Disable submit buttons while a form is being sent (double-submit guard on the client;
  // the server refuses duplicates anyway).
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    const form = event.target;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });

  // <form data-working="id">: show the element with that id while the form is being sent (a
  // long import's preview or confirmation says it is working).
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    const form = event.target.closest("form[data-working]");
    const note = form && document.getElementById(form.dataset.working);
    if (note) note.hidden = false;
  });

  // Attendance grid: the arrow keys move from cell to cell (each cell's menu keeps its letters
  // to choose a status, Space or Alt+Down to open it); Delete clears a cell.
  document.addEventListener("keydown", function (event) {
    const control = event.target;
    if (!(control instanceof HTMLSelectElement) || !control.closest("[data-attendance-grid]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      if (control.value !== "") {
        control.value = "";
        control.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const cell = control.closest("td");
    const row = cell.parentElement;
    const rows = Array.from(row.parentElement.querySelectorAll("tr"));
    const rowIndex = rows.indexOf(row) + move[0];
    const cellIndex = Array.from(row.children).indexOf(cell) + move[1];
    const target = rows[rowIndex] && rows[rowIndex].children[cellIndex];
    const next = target && target.querySelector("select");
    if (next) next.focus();
  });

  // <input type=checkbox data-select-all="bulk-form">: tick or untick every row of that form.
  document.addEventListener("change", function (event) {
    const box = event.target.closest("[data-select-all]");
    if (!box) return;
    document.querySelectorAll('input[name="ids"][form="' + box.dataset.selectAll + '"]')
      .forEach(function (row) { row.checked = box.checked; });
  });

  // BPF page: a figure's drill-down opens in a row under its line (htmx swaps it in after the
  // line). One at a time: the open one goes before another is fetched; the panel takes the
  // focus, and Close gives it back to the figure that opened it.
  let drillOpener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    const link = event.target.closest && event.target.closest("a[data-drill]");
    if (!link) return;
    drillOpener = link;
    const open = document.getElementById("drill-row");
    if (open) open.remove();
  });
  document.addEventListener("htmx:afterSettle", function () {
    const row = document.getElementById("drill-row");
    if (!row || row.dataset.shown) return;
    row.dataset.shown = "1";
    const title = row.querySelector("#drill-title");
    if (title) title.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("click", function (event) {
    const close = event.target.closest("[data-drill-close]");
    if (!close) return;
    const row = close.closest("tr.drill-row");
    const line = row && row.previousElementSibling;
    if (row) row.remove();
    const figure = drillOpener && drillOpener.isConnected ? drillOpener
      : line && line.querySelector("a[data-drill]");
    if (figure) figure.focus();
  });

  // Messages fade after a while; errors stay.
  document.body && document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".message.success").forEach(function (m) {
      setTimeout(function () { m.remove(); }, 6000);
    });
  });
})();
