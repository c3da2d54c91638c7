// Only an enhancement of the header's disclosure menus (<details name="main-nav">), which work
// without it: a click elsewhere or Escape closes the open group, and Escape gives the focus back
// to the group's summary. Delegated on the document, so it survives htmx swapping the body.
(function () {
  "use strict";
  function openGroups() {
    return document.querySelectorAll('details[name="main-nav"][open]');
  }
  document.addEventListener("click", function (event) {
    openGroups().forEach(function (group) {
      if (!group.contains(event.target)) {
        group.open = false;
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openGroups().forEach(function (group) {
      var hadFocus = group.contains(document.activeElement);
      group.open = false;
      if (hadFocus) {
        group.querySelector("summary").focus();
      }
    });
  });
})();
