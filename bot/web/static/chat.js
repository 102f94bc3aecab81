/*
 * Chat widget of the website: plain JavaScript over the vendored socket.io-client.
 *
 * - Talks to Rasa's socket.io channel: `session_request` with a random session id kept in
 *   localStorage (whoever knows the id can continue the conversation, so it comes from
 *   the browser's cryptographic random generator), then `user_uttered` / `bot_uttered`.
 * - Every message carries the page language as `metadata.language`, so that the first
 *   answer is in the language of the page (actions/language.py reads it).
 * - The conversation is kept in localStorage too, so that a reload shows it again.
 * - Buttons send their payload and show their title; URLs become links; newlines stay.
 * - Accessibility: new messages are appended to a polite live region (role="log") and
 *   nothing already shown is rendered again, so a screen reader reads each new message
 *   once; a message carries the language it is written in (`language`, and
 *   `line_languages` for a line in the other language, bot.channels.socketio) as `lang`;
 *   the focus never falls on a removed or disabled control; when the chat covers the
 *   whole screen (phone, or 200 % zoom) the page behind it is inert.
 */
(function () {
  "use strict";

  var MAX_KEPT = 200; // messages kept in the browser
  var TYPING_TIMEOUT_MS = 20000;
  var GREETING = "/greet"; // opens a new conversation: the greeting says it is a bot
  var LANGUAGE = /^[a-z]{2}$/;
  // The button to another language is named in that language ("Nederlands"), as the
  // page's language switch is: its `lang` comes from its payload.
  var SWITCH_TO = /^\/switch_language\{"language":\s*"([a-z]{2})"\}$/;
  // Where the open chat takes the whole screen: keep in step with site.css.
  var FULL_SCREEN = "(max-width: 40rem), (max-height: 30rem)";

  var root = document.getElementById("chat");
  var configNode = document.getElementById("chat-config");
  if (!root || !configNode || typeof window.io !== "function") {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var strings = config.strings;
  var el = {
    toggle: document.getElementById("chat-toggle"),
    panel: document.getElementById("chat-panel"),
    close: document.getElementById("chat-close"),
    reset: document.getElementById("chat-reset"),
    log: document.getElementById("chat-log"),
    list: document.getElementById("chat-messages"),
    typing: document.getElementById("chat-typing"),
    status: document.getElementById("chat-status"),
    form: document.getElementById("chat-form"),
    input: document.getElementById("chat-input")
  };

  // ---- state kept in the browser -------------------------------------------------

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the chat works, without persistence
    }
  }

  function randomId() {
    var cryptoApi = window.crypto;
    if (cryptoApi && typeof cryptoApi.randomUUID === "function") {
      return cryptoApi.randomUUID();
    }
    // randomUUID exists only on HTTPS pages (and localhost): same randomness otherwise.
    var bytes = new Uint8Array(16);
    cryptoApi.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function freshState() {
    return { sessionId: randomId(), messages: [], open: false, greeted: false };
  }

  function loadState() {
    var store = storage();
    try {
      var saved = store && JSON.parse(store.getItem(config.storageKey));
      if (saved && typeof saved.sessionId === "string" && saved.sessionId.length >= 32 &&
          Array.isArray(saved.messages)) {
        return saved;
      }
    } catch (error) {
      // a broken entry: start again
    }
    return freshState();
  }

  function saveState() {
    var store = storage();
    if (!store) {
      return;
    }
    state.messages = state.messages.slice(-MAX_KEPT);
    try {
      store.setItem(config.storageKey, JSON.stringify(state));
    } catch (error) {
      // storage full or refused: keep going without persistence
    }
  }

  var state = loadState();

  // ---- rendering -----------------------------------------------------------------

  var URL_PATTERN = /(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)/g;
  var TRAILING = /[.,;:!?)\]»"']+$/;

  function appendText(parent, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, _group, offset) {
      var url = match.replace(TRAILING, "");
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.href = url.indexOf("www.") === 0 ? "https://" + url : url;
      link.textContent = url;
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function languageOf(value) {
    return typeof value === "string" && LANGUAGE.test(value) ? value : null;
  }

  function renderButtons(message, index) {
    var group = document.createElement("div");
    group.className = "chat-buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", strings.buttons_label);
    if (message.language) {
      group.lang = message.language;
    }
    message.buttons.forEach(function (button) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "chat-choice";
      item.textContent = button.title;
      var switchTo = SWITCH_TO.exec(button.payload || "");
      if (switchTo) {
        item.lang = switchTo[1];
      }
      item.disabled = Boolean(message.used);
      item.addEventListener("click", function () {
        state.messages[index].used = true;
        sendMessage(button.payload, button.title);
      });
      group.appendChild(item);
    });
    return group;
  }

  // The text, in its own language; a line in another language (an offer's title, one half
  // of a bilingual answer) gets its own `lang`, so that a screen reader pronounces it right.
  function renderBubble(message) {
    var bubble = document.createElement("span");
    bubble.className = "chat-bubble";
    if (message.language) {
      bubble.lang = message.language;
    }
    var text = message.text || "";
    var lines = text.split("\n");
    if (!Array.isArray(message.lines) || message.lines.length !== lines.length) {
      appendText(bubble, text);
      return bubble;
    }
    lines.forEach(function (line, i) {
      if (i > 0) {
        bubble.appendChild(document.createTextNode("\n"));
      }
      var part = document.createElement("span");
      var language = languageOf(message.lines[i]);
      if (language && language !== message.language) {
        part.lang = language;
      }
      appendText(part, line);
      bubble.appendChild(part);
    });
    return bubble;
  }

  function renderMessage(message, index) {
    var item = document.createElement("li");
    item.className = "chat-message chat-" + message.from;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (message.from === "user" ? strings.you : strings.bot) + ": ";
    item.appendChild(who);
    item.appendChild(renderBubble(message));
    if (message.buttons && message.buttons.length) {
      item.appendChild(renderButtons(message, index));
    }
    return item;
  }

  // Only on start and on "new conversation": rendering shown messages again would have a
  // screen reader read the whole conversation out again.
  function renderAll() {
    el.list.textContent = "";
    state.messages.forEach(function (message, index) {
      el.list.appendChild(renderMessage(message, index));
    });
    el.log.scrollTop = el.log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    el.list.appendChild(renderMessage(message, state.messages.length - 1));
    el.log.scrollTop = el.log.scrollHeight;
  }

  // Once the visitor has answered, the earlier choices are spent: disabled where they are.
  // Returns true when one of them had the focus (a disabled button loses it).
  function spendChoices() {
    state.messages.forEach(function (message) {
      if (message.buttons && message.buttons.length) {
        message.used = true;
      }
    });
    var hadFocus = false;
    Array.prototype.forEach.call(el.list.querySelectorAll(".chat-choice"), function (button) {
      hadFocus = hadFocus || button === document.activeElement;
      button.disabled = true;
    });
    return hadFocus;
  }

  var typingTimer = null;

  function showTyping(visible) {
    window.clearTimeout(typingTimer);
    el.typing.hidden = !visible;
    if (visible) {
      typingTimer = window.setTimeout(function () {
        el.typing.hidden = true;
      }, TYPING_TIMEOUT_MS);
    }
  }

  function setStatus(text) {
    el.status.textContent = text || "";
  }

  // ---- talking to Rasa -----------------------------------------------------------

  var socket = null;
  var confirmed = false;
  var pending = [];

  function emitUtterance(text) {
    socket.emit("user_uttered", {
      message: text,
      session_id: state.sessionId,
      metadata: { language: config.language }
    });
  }

  function connect() {
    if (socket) {
      return;
    }
    socket = window.io(config.rasaUrl, {
      path: config.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true
    });
    socket.on("connect", function () {
      setStatus("");
      confirmed = false;
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function () {
      confirmed = true;
      if (!state.greeted && state.messages.length === 0) {
        state.greeted = true;
        saveState();
        showTyping(true);
        emitUtterance(GREETING);
      }
      pending.splice(0).forEach(emitUtterance);
    });
    socket.on("bot_uttered", function (message) {
      showTyping(false);
      var choices = message.quick_replies || message.buttons || [];
      var text = message.text || "";
      if (!text && message.attachment && message.attachment.payload) {
        text = message.attachment.payload.src || "";
      }
      addMessage({
        from: "bot",
        text: text,
        language: languageOf(message.language),
        lines: Array.isArray(message.line_languages) ? message.line_languages : null,
        buttons: choices.map(function (b) {
          return { title: b.title, payload: b.payload };
        })
      });
    });
    socket.on("connect_error", function () {
      setStatus(strings.offline);
    });
    socket.on("disconnect", function (reason) {
      confirmed = false;
      if (reason !== "io client disconnect") {
        setStatus(strings.offline);
      }
    });
  }

  function sendMessage(text, shown) {
    var hadFocus = spendChoices();
    addMessage({ from: "user", text: shown || text });
    if (hadFocus) {
      el.input.focus(); // the clicked choice is disabled: the focus goes on to the field
    }
    showTyping(true);
    if (confirmed) {
      emitUtterance(text);
    } else {
      pending.push(text);
      connect();
    }
  }

  // ---- opening, closing, keyboard ----------------------------------------------

  var fullScreen = window.matchMedia ? window.matchMedia(FULL_SCREEN) : null;

  // An open chat that covers the screen: the page behind it can be neither seen nor
  // reached (Tab would otherwise move the focus to links hidden under the chat).
  function shieldPage() {
    var covered = Boolean(state.open && fullScreen && fullScreen.matches);
    Array.prototype.forEach.call(document.body.children, function (node) {
      if (node !== root && node.tagName !== "SCRIPT") {
        node.inert = covered;
      }
    });
  }

  if (fullScreen && typeof fullScreen.addEventListener === "function") {
    fullScreen.addEventListener("change", shieldPage);
  }

  function setOpen(open, focus) {
    state.open = open;
    saveState();
    el.panel.hidden = !open;
    el.toggle.hidden = open;
    el.toggle.setAttribute("aria-expanded", String(open));
    root.classList.toggle("chat-is-open", open);
    shieldPage();
    if (open) {
      connect();
      el.log.scrollTop = el.log.scrollHeight;
      if (focus) {
        el.input.focus();
      }
    } else if (focus) {
      el.toggle.focus();
    }
  }

  el.toggle.addEventListener("click", function () {
    setOpen(true, true);
  });
  el.close.addEventListener("click", function () {
    setOpen(false, true);
  });
  el.panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      setOpen(false, true);
    }
  });
  el.reset.addEventListener("click", function () {
    var open = state.open;
    state = freshState();
    state.open = open;
    saveState();
    renderAll();
    showTyping(false);
    if (socket) {
      socket.disconnect();
      socket = null;
      confirmed = false;
    }
    connect();
    el.input.focus();
  });
  el.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = el.input.value.trim();
    if (!text) {
      el.input.focus();
      return;
    }
    el.input.value = "";
    sendMessage(text);
    el.input.focus();
  });

  renderAll();
  root.hidden = false;
  if (state.open) {
    setOpen(true, false);
  }
})();
