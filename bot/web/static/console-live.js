/* Console live updates: one EventSource per tab on /console/live (server-sent events).

   A change that concerns this page reloads its live parts (the elements marked
   data-live="..."), fetched from the page's own URL: the server renders them as always, masked
   and in the consultant's language. The header says who waits for a person and for how long;
   a candidate asking for a person, or writing in a conversation this consultant holds, is
   announced (aria-live), with a sound and a browser notification when the consultant asked
   for them. Without JavaScript the pages work as before, by reloading. */
(function () {
  "use strict";
  var bar = document.getElementById("live-bar");
  var textsNode = document.getElementById("live-texts");
  if (!bar || !textsNode || typeof window.EventSource === "undefined") { return; }
  var texts = JSON.parse(textsNode.textContent);
  var me = bar.getAttribute("data-me");
  var announcer = document.getElementById("live-announcer");
  var waitingLink = document.getElementById("live-waiting");
  var soundBox = document.getElementById("live-sound");
  var notifyBox = document.getElementById("live-notify");
  var marker = document.querySelector("[data-conversation]");
  var openConversation = marker ? Number(marker.getAttribute("data-conversation")) : null;
  var waiting = [];
  var pending = {};
  var timer = null;
  var timerUrgent = false;
  var idleSaid = {};

  function say(key, values) {
    var text = texts[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function duration(since) {
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
    return say("duration", { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
  }

  // --- the waiting queue in the header, and the timers of the queue page ------------------
  function tick() {
    if (waiting.length) {
      waitingLink.textContent = say("waiting_count", { count: waiting.length, duration: duration(waiting[0].since) });
      bar.classList.add("live-bar-waiting");
    } else {
      waitingLink.textContent = say("waiting_none");
      bar.classList.remove("live-bar-waiting");
    }
    Array.prototype.forEach.call(document.querySelectorAll(".waiting[data-since]"), function (node) {
      var waited = duration(node.getAttribute("data-since"));
      node.textContent = node.getAttribute("data-text") === "duration" ? waited : say("waited", { duration: waited });
    });
  }

  // --- alerts: the consultant's own choice, kept in this browser ----------------------------
  function remembered(box, key) {
    box.checked = window.localStorage.getItem(key) === "1";
    box.addEventListener("change", function () {
      window.localStorage.setItem(key, box.checked ? "1" : "0");
    });
  }
  remembered(soundBox, "console-live-sound");
  remembered(notifyBox, "console-live-notify");
  notifyBox.addEventListener("change", function () {
    if (!notifyBox.checked || typeof window.Notification === "undefined") { return; }
    window.Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") {
        notifyBox.checked = false;
        window.localStorage.setItem("console-live-notify", "0");
        announce(say("notify_denied"));
      }
    });
  });

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var audio = new Context();
    var tone = audio.createOscillator();
    var volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.1;
    tone.connect(volume);
    volume.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
    tone.onended = function () { audio.close(); };
  }

  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function warn(text, number) {
    announce(text);
    if (soundBox.checked) { beep(); }
    if (notifyBox.checked && typeof window.Notification !== "undefined" && window.Notification.permission === "granted" && document.hidden) {
      var note = new window.Notification(document.title, { body: text, tag: "console-" + number });
      note.onclick = function () { window.focus(); if (number) { window.location.href = "/console/conversations/" + number + "#takeover"; } };
    }
  }

  // --- reloading the live parts of the page -------------------------------------------------
  function keepTyping(from, to) {
    Array.prototype.forEach.call(from.querySelectorAll("textarea[name], input[type=text][name]"), function (field) {
      var twin = to.querySelector("[name='" + field.name + "']");
      if (twin && field.value) { twin.value = field.value; }
    });
  }

  // Only the parts this page has; the list waits a second to gather a busy minute's messages
  // into one fetch, the rest follows at once.
  function reload(parts) {
    var urgent = false;
    Object.keys(parts).forEach(function (name) {
      if (!document.querySelector("[data-live='" + name + "']")) { return; }
      pending[name] = true;
      urgent = urgent || name !== "conversations";
    });
    if (!Object.keys(pending).length) { return; }
    if (timer && urgent && !timerUrgent) { window.clearTimeout(timer); timer = null; }
    if (timer) { return; }
    timerUrgent = urgent;
    timer = window.setTimeout(function () {
      var names = Object.keys(pending);
      pending = {};
      timer = null;
      window.fetch(window.location.href, { credentials: "same-origin", headers: { "X-Console-Live": "1" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var fresh = new window.DOMParser().parseFromString(html, "text/html");
          names.forEach(function (name) {
            var current = document.querySelector("[data-live='" + name + "']");
            var next = fresh.querySelector("[data-live='" + name + "']");
            if (!current || !next) { return; }
            var focused = document.activeElement && current.contains(document.activeElement) ? document.activeElement : null;
            var focusName = focused && focused.name;
            keepTyping(current, next);
            var adopted = document.importNode(next, true);
            current.replaceWith(adopted);
            if (focusName) {
              var again = adopted.querySelector("[name='" + focusName + "']");
              if (again) { again.focus(); }
            }
          });
          tick();
        })
        .catch(function () { /* the next change tries again */ });
    }, urgent ? 100 : 1000);
  }

  function concernsOpen(data) { return openConversation !== null && data.conversation === openConversation; }

  var source = new window.EventSource(bar.getAttribute("data-live-url"));
  source.addEventListener("queue", function (event) {
    waiting = JSON.parse(event.data).waiting || [];
    tick();
  });
  source.addEventListener("message", function (event) {
    var data = JSON.parse(event.data);
    reload({ conversations: true });
    // The takeover panel too: it says since when the candidate waits for an answer.
    if (concernsOpen(data)) { reload({ messages: true, takeover: true }); }
    if (data.author === "candidate" && data.held_by === me) {
      warn(say("new_message", { number: data.conversation }), data.conversation);
    }
  });
  source.addEventListener("request", function (event) {
    var data = JSON.parse(event.data);
    reload({ queue: true, conversations: true });
    if (concernsOpen(data)) { reload({ takeover: true }); }
    if (data.live && data.status === "new") {
      warn(say("new_request", { number: data.conversation }), data.conversation);
    }
  });
  source.addEventListener("takeover", function (event) {
    var data = JSON.parse(event.data);
    reload({ queue: true, conversations: true });
    if (data.held_by === me && !concernsOpen(data)) {
      warn(say("yours", { number: data.conversation }), data.conversation);
    }
    if (concernsOpen(data)) {
      reload({ takeover: true, messages: true });
      if (data.held_by && data.held_by !== me) {
        announce(say("taken", { who: data.held_by, number: data.conversation }));
      } else if (!data.held_by && !idleSaid[data.conversation]) {
        announce(say("released", { number: data.conversation }));
      }
    }
  });
  source.addEventListener("idle", function (event) {
    var data = JSON.parse(event.data);
    // Said instead of "back to the assistant", which the takeover's end says to everyone.
    idleSaid[data.conversation] = true;
    window.setTimeout(function () { delete idleSaid[data.conversation]; }, 10000);
    warn(say("idle", { number: data.conversation, minutes: texts.idle_minutes }), data.conversation);
    if (concernsOpen(data)) { reload({ takeover: true, messages: true }); }
  });
  source.addEventListener("resync", function () {
    reload({ conversations: true, queue: true, takeover: true, messages: true });
  });
  source.addEventListener("error", function () {
    // EventSource reconnects by itself; CLOSED means the server refused (signed out).
    if (source.readyState === window.EventSource.CLOSED) { announce(say("offline")); }
  });
  window.addEventListener("pagehide", function () { source.close(); });

  // Ctrl+Enter (Cmd+Enter) in the message box sends it, as in most chat tools.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !box || box.id !== "consultant-message") { return; }
    event.preventDefault();
    if (box.value.trim() && box.form) { box.form.requestSubmit(); }
  });

  bar.hidden = false;
  tick();
  window.setInterval(tick, 1000);
}());
