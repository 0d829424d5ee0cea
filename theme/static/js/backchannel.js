// Progressive enhancement for the comment form; written with the receiver.
// Without this script the form is a plain POST (the receiver answers 303 back
// to #comment-pending). With it: a fresh timing token, JSON submission, the
// pending comment shown in place, in-page replies, and comments approved since
// the last build fetched from the receiver. No dependencies.
(function () {
  "use strict";
  var root = document.querySelector("div.backchannel[data-article]");
  if (!root || !window.fetch || !window.JSON) return;
  var form = root.querySelector("#comment-form");
  var respond = root.querySelector("#respond");
  var pending = root.querySelector("#comment-pending");
  if (!form || !respond) return;
  var status = form.querySelector(".form-status");
  var home = respond.parentNode;
  var homeNext = respond.nextSibling;

  function say(text) {
    if (status) status.textContent = text;
  }

  function fetchToken() {
    var url = root.getAttribute("data-token-url");
    if (!url) return;
    fetch(url, { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.token) form.elements.token.value = data.token; })
      .catch(function () { /* the form still works: the comment is held for moderation */ });
  }

  // Build a comment like the baked thread does; only the server-sanitized html is HTML.
  function commentElement(c, isPending) {
    var li = document.createElement("li");
    li.className = "comment-item p-comment h-cite" + (isPending ? " is-pending" : "");
    var art = document.createElement("article");
    art.className = "comment";
    art.id = "comment-" + c.id;
    var meta = document.createElement("header");
    meta.className = "comment-meta";
    var who = document.createElement("span");
    who.className = "p-author h-card";
    var name = document.createElement(c.author_url ? "a" : "span");
    name.className = "p-name";
    name.textContent = c.author;
    if (c.author_url && /^https?:\/\//i.test(c.author_url)) {
      name.href = c.author_url;
      name.rel = "nofollow ugc noopener";
    }
    who.appendChild(name);
    meta.appendChild(who);
    var time = document.createElement("time");
    time.className = "dt-published";
    time.setAttribute("datetime", c.date);
    time.textContent = " · " + new Date(c.date).toLocaleDateString();
    meta.appendChild(time);
    if (isPending) {
      var badge = document.createElement("span");
      badge.className = "badge badge-pending";
      badge.textContent = " awaiting moderation";
      meta.appendChild(badge);
    }
    var body = document.createElement("div");
    body.className = "e-content";
    body.innerHTML = c.html;
    art.appendChild(meta);
    art.appendChild(body);
    li.appendChild(art);
    return li;
  }

  function listFor(parentId) {
    if (parentId) {
      var parent = document.getElementById("comment-" + parentId);
      if (parent && parent.parentNode) {
        var item = parent.parentNode;
        var children = item.querySelector(":scope > ol.comment-children");
        if (!children) {
          children = document.createElement("ol");
          children.className = "comment-children";
          item.appendChild(children);
        }
        return children;
      }
    }
    var list = root.querySelector("ol.comment-list");
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list";
      var none = root.querySelector(".no-comments");
      var section = root.querySelector("#comments");
      if (none) none.parentNode.replaceChild(list, none);
      else if (section) section.appendChild(list);
      else return null;
    }
    return list;
  }

  function show(c, isPending) {
    if (document.getElementById("comment-" + c.id)) return;
    var list = listFor(c.parent);
    if (list) list.appendChild(commentElement(c, isPending));
  }

  function resetReply() {
    form.elements.parent.value = "";
    var note = form.querySelector(".replying-to");
    if (note) { note.hidden = true; note.textContent = ""; }
    if (respond.parentNode !== home) home.insertBefore(respond, homeNext);
  }

  function startReply(link) {
    var parentId = link.getAttribute("data-parent");
    var comment = document.getElementById("comment-" + parentId);
    if (!comment) return false;
    form.elements.parent.value = parentId;
    comment.parentNode.insertBefore(respond, comment.nextSibling);
    var note = form.querySelector(".replying-to");
    if (note) {
      var author = comment.querySelector(".p-name");
      note.textContent = "Replying to " + (author ? author.textContent : "a comment") + " ";
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "cancel-reply";
      cancel.textContent = "Cancel";
      cancel.addEventListener("click", resetReply);
      note.appendChild(cancel);
      note.hidden = false;
    }
    form.elements.body.focus();
    return true;
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.reply-link[data-parent]");
    if (link && startReply(link)) event.preventDefault();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = form.elements;
    var data = {
      article: f.article.value, parent: f.parent.value, token: f.token.value,
      author: f.author.value, url: f.url.value, email: f.email.value,
      notify: !!(f.notify && f.notify.checked), body: f.body.value,
      homepage: f.homepage ? f.homepage.value : ""
    };
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    say("Sending…");
    fetch(form.action, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 202) {
          show(body, true);
          if (pending) pending.classList.add("is-visible");
          f.body.value = "";
          resetReply();
          say("Thanks — your comment is awaiting moderation.");
          fetchToken();
        } else {
          say(body.error || ("Sorry, the comment was not sent (HTTP " + r.status + ")."));
        }
      });
    }).catch(function () {
      // The receiver could not be reached by script: fall back to the plain form.
      form.submit();
    }).then(function () { if (button) button.disabled = false; });
  });

  function showApproved() {
    var url = root.getAttribute("data-comments-json");
    if (!url) return;
    fetch(url, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.comments) data.comments.forEach(function (c) { show(c, false); });
      })
      .catch(function () { /* the baked thread is still there */ });
  }

  fetchToken();
  showApproved();
})();
