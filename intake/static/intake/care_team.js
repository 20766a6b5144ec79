// Adding someone to a care team: "Role on the team" follows the person chosen (a nurse joins as
// the nurse), from the option's data-team-role; it can still be changed. Without this script
// the blank choice ("Their staff role") does the same on the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-team-role-from-staff]");
  if (!form) { return; }
  var person = form.querySelector("select[name=user]");
  var role = form.querySelector("select[name=team_role]");
  if (!person || !role) { return; }
  person.addEventListener("change", function () {
    var option = person.options[person.selectedIndex];
    var teamRole = option ? option.getAttribute("data-team-role") : null;
    if (teamRole) { role.value = teamRole; }
  });
})();
