// Suggestions under every search box, as the reader types. The form works without this.
(function () {
  "use strict";
  function attach(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector(".suggestions");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url) return;
    var timer = null;
    var latest = 0;
    function hide() { list.hidden = true; list.textContent = ""; }
    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.label;            // text, never HTML
        var kind = document.createElement("span");
        kind.className = "suggestions__kind";
        kind.textContent = { article: "文章", law: "法规", provision: "法条" }[item.kind] || "";
        li.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (!text) { hide(); return; }
      timer = setTimeout(function () {
        var ticket = ++latest;
        fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) { if (ticket === latest) show(data.suggestions || []); })
          .catch(hide);
      }, 200);
    });
    input.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
    document.addEventListener("click", function (event) { if (!form.contains(event.target)) hide(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-suggest-url]"), attach);
  });
})();
