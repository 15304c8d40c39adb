// Statute links in article bodies carry the provision's text (data-preview). A mouse sees it on
// hover (the title); on a touch screen the first tap shows it under the link, the second follows it.
(function () {
  "use strict";
  var open = null;
  function close() {
    if (open) { open.box.remove(); open.link.removeAttribute("aria-expanded"); open = null; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.statute-ref") : null;
    if (!link) { close(); return; }
    var touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
    if (!touch || (open && open.link === link)) { return; }
    event.preventDefault();
    close();
    var box = document.createElement("span");
    box.className = "statute-preview";
    box.setAttribute("role", "tooltip");
    box.textContent = link.getAttribute("data-preview");  // text, never HTML
    link.insertAdjacentElement("afterend", box);
    link.setAttribute("aria-expanded", "true");
    open = { link: link, box: box };
  });
})();
