/* The article editor: a toolbar over the Markdown, a live preview beside it, the references checked
   as the editor types, and one-click fixes for misquotes. The preview is rendered on the server by
   the site's own renderer (the admin's preview endpoint); nothing here comes from elsewhere. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var body = document.getElementById("id_body");
    var config = document.getElementById("kb-editor-config");
    if (!body || !config) return;
    var form = body.form;
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var title = document.getElementById("id_title");

    var editor = document.createElement("div");
    editor.className = "kb-editor";
    var writing = document.createElement("div");
    var previewColumn = document.createElement("div");
    previewColumn.className = "kb-preview-column";
    previewColumn.innerHTML = '<h3 class="kb-preview-title">实时预览</h3>';
    var preview = document.createElement("div");
    preview.className = "kb-preview";
    preview.setAttribute("aria-live", "polite");
    var problem = document.createElement("p");
    problem.className = "kb-preview-problem";
    var references = document.createElement("ul");
    references.className = "kb-references";
    previewColumn.append(problem, preview, references);
    body.parentNode.insertBefore(editor, body);
    var bodyHint = punctuationHint("kb-punctuation--body");
    writing.append(toolbar(), body, bodyHint);
    editor.append(writing, previewColumn);
    var titleHint = punctuationHint("kb-punctuation--title");
    if (title) title.insertAdjacentElement("afterend", titleHint);

    // "正文中有 2 处半角标点：吗?网 … [改为全角标点]": one click replaces them all, from the last, each
    // only if the text there is still what the server saw.
    function punctuationHint(name) {
      var hint = document.createElement("div");
      hint.className = "kb-punctuation " + name;
      hint.setAttribute("role", "status");
      hint.hidden = true;
      return hint;
    }

    function showPunctuation(hint, field, marks, where) {
      hint.replaceChildren();
      hint.hidden = !marks.length;
      if (!marks.length) return;
      var text = document.createElement("span");
      text.textContent = where + "中有 " + marks.length + " 处半角标点夹在中文里：" + marks.slice(0, 5).map(function (mark) {
        return "“" + mark.context + "”";
      }).join("、") + (marks.length > 5 ? " 等" : "") + "。";
      hint.append(text, button("改为全角标点", "把这些半角标点改为全角（，？：；！（））", function () {
        marks.slice().reverse().forEach(function (mark) {
          if (field.value.slice(mark.start, mark.end) === mark.text) {
            field.setRangeText(mark.replacement, mark.start, mark.end, "preserve");
          }
        });
        field.dispatchEvent(new Event("input"));
      }));
    }

    function replaceSelection(before, after, placeholder) {
      var start = body.selectionStart, end = body.selectionEnd;
      var selected = body.value.slice(start, end) || placeholder;
      body.setRangeText(before + selected + after, start, end, "end");
      body.focus();
      body.dispatchEvent(new Event("input"));
    }

    function prefixLines(prefix, numbered) {
      var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
      var end = body.selectionEnd;
      var lines = body.value.slice(start, end).split("\n");
      var text = lines.map(function (line, index) {
        return (numbered ? (index + 1) + ". " : prefix) + line.replace(/^(#+ |- |\d+\. )/, "");
      }).join("\n");
      body.setRangeText(text, start, end, "end");
      body.focus();
      body.dispatchEvent(new Event("input"));
    }

    function button(label, title, action) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = label;
      element.title = title;
      element.addEventListener("click", action);
      return element;
    }

    function toolbar() {
      var bar = document.createElement("div");
      bar.className = "kb-toolbar";
      bar.setAttribute("role", "toolbar");
      bar.setAttribute("aria-label", "正文格式");
      bar.append(
        button("标题", "二级标题（## ）", function () { prefixLines("## "); }),
        button("小标题", "三级标题（### ）", function () { prefixLines("### "); }),
        button("列表", "项目符号列表（- ）", function () { prefixLines("- "); }),
        button("编号", "编号列表（1. ）", function () { prefixLines("", true); }),
        button("粗体", "粗体（**文字**）", function () { replaceSelection("**", "**", "文字"); }),
        button("链接", "链接（[文字](网址)）", function () { replaceSelection("[", "](https://)", "文字"); }),
        citePicker()
      );
      return bar;
    }

    function citePicker() {
      var wrap = document.createElement("span");
      wrap.className = "kb-cite";
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = "引用法条，如 民法典 1032";
      input.setAttribute("aria-label", "查找要引用的法条");
      var list = document.createElement("ul");
      list.hidden = true;
      wrap.append(input, list);
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var term = input.value.trim();
          if (!term) { list.hidden = true; return; }
          var url = config.dataset.autocompleteUrl + "?app_label=articles&model_name=citation&field_name=provision&term="
            + encodeURIComponent(term);
          fetch(url, { credentials: "same-origin" }).then(function (response) { return response.json(); }).then(function (data) {
            list.replaceChildren();
            (data.results || []).slice(0, 8).forEach(function (result) {
              var item = document.createElement("li");
              // "民法典 第一千零三十二条" → 《民法典》第一千零三十二条
              var at = result.text.lastIndexOf(" ");
              var citation = at > 0 ? "《" + result.text.slice(0, at) + "》" + result.text.slice(at + 1) : result.text;
              item.append(button(citation, "插入 " + citation, function () {
                replaceSelection(citation, "", "");
                input.value = "";
                list.hidden = true;
              }));
              list.append(item);
            });
            list.hidden = !list.children.length;
          });
        }, 250);
      });
      return wrap;
    }

    var pending = null, sent = 0;
    function refresh() {
      var number = ++sent;
      var data = new FormData();
      data.append("body", body.value);
      data.append("title", title ? title.value : "");
      data.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
      fetch(config.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          if (number !== sent) return; // an older answer arriving late
          problem.textContent = result.problem || "";
          preview.innerHTML = result.html; // sanitized on the server, as the site's pages are
          showReferences(result.references);
          markMisquotes(result.references);
          showPunctuation(bodyHint, body, result.punctuation || [], "正文");
          if (title) showPunctuation(titleHint, title, result.title_punctuation || [], "标题");
        })
        .catch(function () { problem.textContent = "预览暂时无法更新。"; });
    }

    // In the preview, a misquoted reference is linked as written: mark it, with what the check says.
    function markMisquotes(items) {
      items.forEach(function (item) {
        if (item.state !== "misquoted" || !item.url) return;
        preview.querySelectorAll("a.statute-ref").forEach(function (link) {
          if (link.getAttribute("href") !== item.url) return;
          link.classList.add("statute-ref--misquoted");
          link.title = "引文不符：" + item.verdict;
        });
      });
    }

    function showReferences(items) {
      references.replaceChildren();
      items.forEach(function (item) {
        var row = document.createElement("li");
        row.className = "kb-ref kb-ref--" + item.state;
        row.dataset.state = item.state;
        row.append(document.createTextNode(item.text + "：" + item.verdict));
        if (item.fix) {
          row.append(button(item.fix.label, "把“" + item.fix.text + "”改为“" + item.fix.replacement + "”", function () {
            if (body.value.slice(item.fix.start, item.fix.end) !== item.fix.text) { refresh(); return; }
            body.setRangeText(item.fix.replacement, item.fix.start, item.fix.end, "end");
            body.dispatchEvent(new Event("input"));
          }));
        }
        references.append(row);
      });
    }

    function later() {
      clearTimeout(pending);
      pending = setTimeout(refresh, 400);
    }
    body.addEventListener("input", later);
    if (title) title.addEventListener("input", later);
    refresh();
  });
})();
