// Rows of a form that has several (plan medications, behavioral components and problems; the
// interview's substances) are added and removed in place, without saving and reopening.
//
// Markup (templates/intake/_formset_row_controls.html and the formset templates):
//   <div data-formset data-prefix="med">             the formset; holds the management form
//     <div data-formset-rows> <div data-formset-row> ... </div> ... </div>
//     <template data-formset-empty> one row of formset.empty_form (__prefix__) </template>
//     <button type="button" data-formset-add hidden>+ Add ...</button>
//   A row's "Remove" button is [data-formset-remove]; its DELETE checkbox, when the formset has
//   one, is what the server reads.
//
// Without this script the forms work as before: the empty rows the server sends, the "Remove
// this row" tick boxes, and a new empty row after each save.
//
// Drafts (drafts.js) restore typing by field name; a draft can name rows this page does not have
// yet. Before restoring, drafts.js sends "draft:restore" to the <form> with the fields; this
// script adds rows until every row the draft names exists. A restored DELETE tick sends
// "change", which hides the row again.
(function () {
  "use strict";

  function ownRows(box) {
    var holder = box.querySelector("[data-formset-rows]");
    return Array.prototype.filter.call(holder.children, function (row) {
      return row.hasAttribute("data-formset-row");
    });
  }

  function Formset(box) {
    this.box = box;
    this.prefix = box.dataset.prefix;
    this.total = box.querySelector("input[name='" + this.prefix + "-TOTAL_FORMS']");
    this.max = box.querySelector("input[name='" + this.prefix + "-MAX_NUM_FORMS']");
    this.template = box.querySelector("template[data-formset-empty]");
    this.rows = box.querySelector("[data-formset-rows]");
    this.button = box.querySelector("[data-formset-add]");
    if (!this.total || !this.template || !this.rows || !this.button) { return; }
    box.formset = this;
    var self = this;
    this.button.hidden = false;
    this.button.addEventListener("click", function () { self.add(true); });
    ownRows(box).forEach(function (row) { self.wire(row); });
  }

  Formset.prototype.count = function () { return parseInt(this.total.value, 10) || 0; };

  Formset.prototype.full = function () {
    return this.max && this.count() >= parseInt(this.max.value, 10);
  };

  Formset.prototype.add = function (focus) {
    if (this.full()) { return null; }
    var index = this.count();
    var holder = document.createElement("div");
    holder.innerHTML = this.template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("[data-formset-row]");
    row.dataset.formsetNew = "1";
    this.rows.appendChild(row);
    this.total.value = String(index + 1);
    this.number();
    this.wire(row);
    this.button.disabled = this.full();
    if (focus) {
      var first = (row.querySelector("[data-formset-fields]") || row)
        .querySelector("select, input:not([type=hidden]), textarea");
      if (first) { first.focus(); }
    }
    return row;
  };

  Formset.prototype.deleteBox = function (row) {
    return row.querySelector("input[type=checkbox][name$='-DELETE']");
  };

  Formset.prototype.wire = function (row) {
    var self = this;
    var remove = row.querySelector("[data-formset-remove]");
    var undo = row.querySelector("[data-formset-undo]");
    var tick = this.deleteBox(row);
    if (remove) {
      remove.hidden = false;
      remove.addEventListener("click", function () { self.remove(row); });
    }
    if (undo) { undo.addEventListener("click", function () { self.undo(row); }); }
    if (tick) {
      // The tick box is what the server reads; with the buttons it need not be seen.
      var label = tick.closest(".form-check") || tick;
      label.hidden = true;
      tick.addEventListener("change", function () { self.show(row); });
      this.show(row);
    }
  };

  Formset.prototype.remove = function (row) {
    var all = ownRows(this.box);
    var tick = this.deleteBox(row);
    if (row.dataset.formsetNew && all[all.length - 1] === row) {
      // A row added on this page and not followed by another: gone, as if never added.
      row.remove();
      this.total.value = String(this.count() - 1);
      this.button.disabled = this.full();
      this.number();
      this.button.focus();
      this.changed();
      return;
    }
    if (tick) {
      tick.checked = true;
      tick.dispatchEvent(new Event("change", { bubbles: true }));
      var undo = row.querySelector("[data-formset-undo]");
      if (undo) { undo.focus(); }  // the keyboard stays on the row, one key from undoing
    } else {
      // A formset without DELETE ignores an empty row: empty it.
      Array.prototype.forEach.call(row.querySelectorAll("input, select, textarea"), function (f) {
        if (f.type === "checkbox" || f.type === "radio") { f.checked = false; }
        else if (f.tagName === "SELECT") { f.selectedIndex = 0; }
        else if (f.type !== "hidden") { f.value = ""; }
      });
      this.changed();
    }
  };

  Formset.prototype.undo = function (row) {
    var tick = this.deleteBox(row);
    if (!tick) { return; }
    tick.checked = false;
    tick.dispatchEvent(new Event("change", { bubbles: true }));
    var first = row.querySelector("[data-formset-fields] select, [data-formset-fields] input");
    if (first) { first.focus(); }
  };

  Formset.prototype.show = function (row) {
    var tick = this.deleteBox(row);
    var removed = Boolean(tick && tick.checked);
    row.classList.toggle("formset-row-removed", removed);
    var fields = row.querySelector("[data-formset-fields]");
    if (fields) { fields.hidden = removed; }
    var note = row.querySelector("[data-formset-removed]");
    if (note) { note.hidden = !removed; }
    var remove = row.querySelector("[data-formset-remove]");
    if (remove) { remove.hidden = removed; }
    var number = row.querySelector("[data-formset-number]");
    if (number) { number.hidden = removed; }
    this.number();
  };

  Formset.prototype.number = function () {
    var n = 0;
    ownRows(this.box).forEach(function (row) {
      var label = row.querySelector("[data-formset-number]");
      if (row.classList.contains("formset-row-removed")) { return; }
      n += 1;
      if (label) { label.textContent = label.dataset.formsetNumber + " " + n; }
    });
  };

  Formset.prototype.changed = function () {
    // Drafts listen for input and change on the form: a removed row is a change to keep.
    this.total.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Formset.prototype.ensure = function (names) {
    var pattern = new RegExp("^" + this.prefix.replace(/[-]/g, "\\-") + "-(\\d+)-");
    var highest = -1;
    names.forEach(function (name) {
      var match = pattern.exec(name);
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    while (this.count() <= highest && !this.full()) { this.add(false); }
  };

  var formsets = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), function (box) {
    var formset = new Formset(box);
    if (box.formset) { formsets.push(formset); }
  });

  document.addEventListener("draft:restore", function (event) {
    var names = Object.keys((event.detail && event.detail.fields) || {});
    formsets.forEach(function (formset) {
      if (event.target.contains(formset.box)) { formset.ensure(names); }
    });
  });
})();
