// Intake interview form: add substance rows without a round trip (the form works without it:
// saving the draft always brings a new empty row).
(function () {
  "use strict";
  var box = document.getElementById("substance-formset");
  var template = document.getElementById("substance-empty-row");
  var button = document.getElementById("add-substance");
  if (!box || !template || !button) { return; }
  var prefix = box.dataset.prefix;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  var rows = document.getElementById("substance-rows");
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    row.querySelector(".substance-number").textContent = "Substance " + (index + 1);
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select[name$=\"-substance\"]");
    if (first) { first.focus(); }
  });
})();
