// Progressive enhancement for the comment form; written with the receiver.
// Without this script the form is a plain POST (the receiver answers 303 back
// to #comment-pending). With it: a fresh timing token, JSON submission, the
// pending comment shown in place, in-page replies, and comments approved since
// the last build fetched from the receiver. A posted comment is kept in
// localStorage (per article) and shown again after a reload, until the page's
// baked thread holds it. No dependencies.
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
  var article = root.getAttribute("data-article");
  var dateFormat = root.getAttribute("data-date-format") || "%a %d %B %Y";
  var storeKey = "backchannel:pending:" + article;
  // A comment never approved (rejected, spam) stops being shown after this long.
  var KEEP_MS = 60 * 24 * 3600 * 1000;

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

  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];

  function pad(n, width) {
    var text = String(n);
    while (text.length < width) text = "0" + text;
    return text;
  }

  // The date as the baked pages print it: Pelican's strftime with DEFAULT_DATE_FORMAT
  // (handed over in data-date-format), in the offset the receiver wrote, English names.
  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(iso || "");
    if (!m) return iso || "";
    var y = +m[1], mo = +m[2], d = +m[3], h = +m[4];
    var weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    var start = Date.UTC(y, 0, 1);
    var yday = Math.round((Date.UTC(y, mo - 1, d) - start) / 86400000) + 1;
    var values = {
      a: DAYS[weekday].slice(0, 3), A: DAYS[weekday], w: String(weekday),
      b: MONTHS[mo - 1].slice(0, 3), h: MONTHS[mo - 1].slice(0, 3), B: MONTHS[mo - 1],
      d: pad(d, 2), e: pad(d, 2).replace(/^0/, " "), m: pad(mo, 2), y: pad(y % 100, 2),
      Y: String(y), H: m[4], I: pad(h % 12 || 12, 2), M: m[5], S: m[6],
      p: h < 12 ? "AM" : "PM", j: pad(yday, 3), "%": "%"
    };
    return dateFormat.replace(/%(-?)([a-zA-Z%])/g, function (all, dash, code) {
      if (!(code in values)) return all;
      // %-d, %-m, ...: Pelican's strftime drops the leading zeros.
      return dash ? values[code].replace(/^[0 ]+(?=.)/, "") : values[code];
    });
  }

  function loadPending() {
    try {
      var list = JSON.parse(window.localStorage.getItem(storeKey) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];  // storage off (private mode) or damaged: nothing to show again
    }
  }

  function savePending(list) {
    try {
      if (list.length) window.localStorage.setItem(storeKey, JSON.stringify(list));
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or off: the comment is still on the server */ }
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
    time.textContent = " · " + formatDate(c.date);
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
    var existing = document.getElementById("comment-" + c.id);
    if (existing) {
      // Shown as pending from storage, approved since: show it as approved.
      var item = existing.parentNode;
      if (!isPending && item.classList.contains("is-pending")) {
        item.parentNode.replaceChild(commentElement(c, false), item);
      }
      return;
    }
    var list = listFor(c.parent);
    if (list) list.appendChild(commentElement(c, isPending));
  }

  // Before anything is added: an id on the page now is one the build baked.
  function restorePending() {
    var now = Date.now();
    var keep = loadPending().filter(function (c) {
      return c && c.id && !document.getElementById("comment-" + c.id) &&
        !(now - (c.saved || 0) > KEEP_MS);
    });
    savePending(keep);
    keep.forEach(function (c) { show(c, true); });
  }

  function rememberPending(c) {
    var list = loadPending().filter(function (p) { return p && p.id !== c.id; });
    c.saved = Date.now();
    list.push(c);
    savePending(list);
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
      method: "POST", credentials: "same-origin",  // the reader cookie (auto-approve)
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(data)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 202) {
          rememberPending(body);
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

  restorePending();
  fetchToken();
  showApproved();
})();
