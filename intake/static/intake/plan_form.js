// Treatment plan form: a behavioral component starts in the plan's setting (an inpatient plan's
// counselling is inpatient). When the plan's setting changes, the empty component rows, and the
// rows the page adds from now on, follow it; a row with a modality chosen keeps its setting.
(function () {
  "use strict";
  var box = document.querySelector("[data-behavioral-settings]");
  var plan = document.querySelector("select[name=setting]");
  if (!box || !plan) { return; }
  var map;
  try { map = JSON.parse(box.dataset.behavioralSettings); } catch (e) { return; }
  var prefix = box.dataset.prefix;

  function follow() {
    var setting = map[plan.value];
    if (!setting) { return; }
    Array.prototype.forEach.call(box.querySelectorAll("[data-formset-row]"), function (row) {
      var modality = row.querySelector("select[name$='-modality']");
      var own = row.querySelector("select[name$='-setting']");
      if (!own || !modality || modality.value || own.name.indexOf(prefix + "-") !== 0) { return; }
      if (own.value !== setting) {
        own.value = setting;
        own.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    var template = box.querySelector("template[data-formset-empty]");
    var empty = template && template.content.querySelector("select[name$='-setting']");
    if (empty) {
      Array.prototype.forEach.call(empty.options, function (option) {
        if (option.value === setting) { option.setAttribute("selected", ""); }
        else { option.removeAttribute("selected"); }
      });
    }
  }
  plan.addEventListener("change", follow);
})();
