/* Phone help: fill every instruction with the chosen extension's user name and name. */
"use strict";
(function () {
  const select = document.getElementById("help-extension");
  if (!select) return;
  select.addEventListener("change", function () {
    const option = select.options[select.selectedIndex];
    document.querySelectorAll(".fill-username").forEach(function (node) { node.textContent = option.value; });
    document.querySelectorAll(".fill-name").forEach(function (node) { node.textContent = option.dataset.name; });
  });
})();
