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

  // The menu (a <details>, base.html): always open on a wide screen, folded behind its button on
  // a narrow one; it follows the window when it is resized across the limit.
  const menu = document.querySelector("details[data-menu]");
  if (menu && window.matchMedia) {
    const wide = window.matchMedia("(min-width: 901px)");
    const follow = function () { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
    // Escape closes the open menu (narrow screens) and gives the focus back to its button.
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // After an htmx swap, the focus goes to what changed when the swap took it away (the button
  // pressed was replaced, so the focus fell to the page's body): a field in error first, then the
  // message the response brought, else the swapped content itself. A swap that leaves the focus
  // where it was (typing in a search box, htmx keeping a field with the same id) changes nothing.
  let messagesChanged = false;
  let pendingFocus = null;
  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }
  const outOfBand = new WeakSet();
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    outOfBand.add(event.target);
    const target = event.detail && event.detail.target;
    if (target && target.id === "messages") messagesChanged = true;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "messages") { messagesChanged = true; return; }
    if (outOfBand.has(event.target) || event.target.type === "hidden") return;
    if (!pendingFocus) pendingFocus = event.target;
  });
  document.addEventListener("htmx:afterSettle", function () {
    const swapped = pendingFocus;
    const announced = messagesChanged;
    pendingFocus = null;
    messagesChanged = false;
    // The attendance grid keeps its own keyboard model (htmx gives the focus back to the cell).
    if (!swapped || !swapped.isConnected || swapped.closest("[data-attendance-grid]")) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const invalid = swapped.querySelector(
      "[aria-invalid=true], .has-error input, .has-error select, .has-error textarea, .form-errors"
    );
    const messages = document.getElementById("messages");
    if (invalid) focusOn(invalid);
    else if (announced && messages && messages.querySelector(".message")) focusOn(messages);
    else focusOn(swapped);
  });

  // The learner picker (individuals/create.html), an ARIA combobox: the text box keeps the focus,
  // the arrow keys move through the suggestions (aria-activedescendant), Enter picks the one
  // shown, Escape closes the list. Each suggestion is also a plain link (no JavaScript).
  function comboboxOptions(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    return list && !list.hidden ? Array.from(list.querySelectorAll("[role=option]")) : [];
  }
  function comboboxSync(input) {
    const options = comboboxOptions(input);
    options.forEach(function (option) {
      option.setAttribute("tabindex", "-1");
      option.setAttribute("aria-selected", "false");
    });
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  }
  function comboboxShow(input, option) {
    comboboxOptions(input).forEach(function (other) {
      other.setAttribute("aria-selected", other === option ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-combobox")) return;
    const options = comboboxOptions(input);
    const current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = current < 0 ? (step > 0 ? 0 : options.length - 1)
        : (current + step + options.length) % options.length;
      comboboxShow(input, options[next]);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      options[current].click();
    } else if (event.key === "Escape" && options.length) {
      event.preventDefault();
      document.getElementById(input.getAttribute("aria-controls")).hidden = true;
      comboboxSync(input);
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("input[data-combobox]").forEach(comboboxSync);
  });
  document.querySelectorAll("input[data-combobox]").forEach(comboboxSync);

  // Exports (<a data-export data-busy-label="Preparing…">): the button says at once that the file
  // is being prepared and stays disabled until it has arrived (fetched, then saved under the
  // server's file name). If the fetch fails, the browser follows the link as it would have.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-export]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") return;
    const label = link.textContent;
    link.setAttribute("aria-disabled", "true");
    link.classList.add("busy");
    link.textContent = link.dataset.busyLabel || label;
    const restore = function () {
      link.textContent = label;
      link.removeAttribute("aria-disabled");
      link.classList.remove("busy");
    };
    fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
      const name = match ? decodeURIComponent(match[1]) : "";
      return response.blob().then(function (blob) {
        const url = URL.createObjectURL(blob);
        const save = document.createElement("a");
        save.href = url;
        save.download = name;
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        restore();
      });
    }).catch(function () {
      restore();
      window.location.href = link.href;
    });
  });

  // Messages fade after a while; errors stay.
  document.body && document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".message.success").forEach(function (m) {
      setTimeout(function () { m.remove(); }, 6000);
    });
  });
})();
