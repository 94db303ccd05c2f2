// bidgram sandbox: people's private chats with the bot, side by side.
// Plain JavaScript, no build and no CDN. The server streams every change as server-sent
// events (/api/events); the page acts through the JSON API as the person whose chat it is.
"use strict";

const ALLOWED_TAGS = new Set([
  "B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A",
  "SPAN", "TG-SPOILER", "BLOCKQUOTE", "TG-EMOJI", "BR",
]);
const EXPONENTS = { XTR: 0, JPY: 0, KRW: 0 };

const app = {
  botUsername: "",
  currency: "USD",
  exponent: 2,
  offsetSeconds: 0,
  chats: new Map(), // person id -> chat view
  rev: 0, // bumped by every message drawn or redrawn: "newer than" for tests and scrolling
};
window.sandboxRev = () => app.rev;

// -- talking to the server ---------------------------------------------------------------

// Every call is JSON (a file goes as FormData): the server refuses other bodies, which any
// web site could send it.
async function api(path, body = {}, options = {}) {
  const init = { method: "POST", ...options };
  if (body instanceof FormData) {
    init.body = body;
  } else {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = { error: `${response.status} ${response.statusText}` };
  }
  if (!response.ok) {
    const message = data.error || `${response.status} ${response.statusText}`;
    logLine("error", "page", `${path}: ${message}`);
    throw new Error(message);
  }
  return data;
}

function connect() {
  const status = document.getElementById("connection");
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => {
    status.textContent = "live";
    status.classList.add("live");
  });
  events.addEventListener("error", () => {
    status.textContent = "reconnecting…";
    status.classList.remove("live");
  });
  events.addEventListener("state", (e) => renderAll(JSON.parse(e.data)));
  events.addEventListener("reset", (e) => {
    renderAll(JSON.parse(e.data));
    logLine("info", "sandbox", "Started over: fresh database, clock at now.");
  });
  events.addEventListener("person", (e) => addChat(JSON.parse(e.data)));
  events.addEventListener("chat", (e) => applyChange(JSON.parse(e.data)));
  events.addEventListener("clock", (e) => setClock(JSON.parse(e.data)));
  events.addEventListener("log", (e) => {
    const entry = JSON.parse(e.data);
    logLine(entry.level, entry.source, entry.text);
  });
}

// -- the whole page ----------------------------------------------------------------------

function renderAll(state) {
  app.botUsername = state.bot_username;
  app.currency = state.currency;
  app.exponent = state.currency_exponent;
  document.getElementById("chats").replaceChildren();
  app.chats.clear();
  for (const person of state.people) addChat(person);
  setClock(state.clock);
  document.body.dataset.ready = "true";
}

function setClock(clock) {
  app.offsetSeconds = clock.offset_seconds;
  showClock();
}

function showClock() {
  const now = new Date(Date.now() + app.offsetSeconds * 1000);
  const text = now.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  document.getElementById("clock-now").textContent = text;
  document.getElementById("clock-offset").textContent =
    app.offsetSeconds > 0 ? `(+${describeOffset(app.offsetSeconds)})` : "(now)";
}

function describeOffset(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const parts = [];
  if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  return parts.join(" ") || `${Math.round(seconds / 60)} min`;
}

function logLine(level, source, text) {
  const list = document.getElementById("log");
  const item = document.createElement("li");
  item.className = `level-${level}`;
  const time = new Date().toTimeString().slice(0, 8);
  item.textContent = `${time} ${source}: ${text}`;
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

// -- one chat ----------------------------------------------------------------------------

function addChat(person) {
  if (app.chats.has(person.id)) return;
  const node = document.getElementById("chat-template").content.firstElementChild.cloneNode(true);
  node.dataset.person = person.id;
  node.dataset.name = person.name;
  node.querySelector(".avatar").textContent = person.name.slice(0, 1).toUpperCase();
  node.querySelector(".name").textContent = person.name;
  node.querySelector(".who").textContent =
    `${person.role}${person.username ? " · @" + person.username : ""}`;
  const view = {
    person,
    node,
    messages: node.querySelector(".messages"),
    input: node.querySelector(".text"),
    replyTo: null,
    inlineTimer: null,
    inlineSeq: 0,
  };
  app.chats.set(person.id, view);
  wireComposer(view);
  for (const message of person.messages) upsertMessage(view, message);
  setReplyKeyboard(view, person.reply_keyboard);
  updateEmpty(view);
  document.getElementById("chats").append(node);
  view.messages.scrollTop = view.messages.scrollHeight;
}

function updateEmpty(view) {
  view.node.classList.toggle("empty", view.messages.children.length === 0);
}

function applyChange(change) {
  const view = app.chats.get(change.person);
  if (!view) return;
  if (change.kind === "deleted") {
    const gone = view.messages.querySelector(`.msg[data-id="${change.id}"]`);
    if (gone) gone.remove();
  } else {
    upsertMessage(view, change.message);
  }
  setReplyKeyboard(view, change.reply_keyboard);
  updateEmpty(view);
}

function upsertMessage(view, message) {
  const node = renderMessage(view, message);
  const old = view.messages.querySelector(`.msg[data-id="${message.id}"]`);
  if (old) {
    old.replaceWith(node); // edited in place
    return;
  }
  const later = [...view.messages.children].find((m) => Number(m.dataset.id) > message.id);
  view.messages.insertBefore(node, later || null);
  view.messages.scrollTop = view.messages.scrollHeight;
}

function renderMessage(view, message) {
  const node = document.createElement("div");
  node.className = `msg ${message.from_bot ? "from-bot" : "from-me"}`;
  node.dataset.id = message.id;
  node.dataset.rev = ++app.rev;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.reply_to) {
    const quote = document.createElement("div");
    quote.className = "reply-to";
    quote.textContent = message.reply_to.text || "(message)";
    bubble.append(quote);
  }
  if (message.document) {
    bubble.append(fileLink(message.document.file_id, `📄 ${message.document.file_name}`));
  }
  if (message.photo) bubble.append(fileLink(message.photo.file_id, "🖼 photo"));
  if (message.sticker) bubble.append(document.createTextNode(message.sticker));
  if (message.invoice) bubble.append(renderInvoice(message.invoice));
  if (message.payment) {
    const paid = document.createElement("div");
    paid.className = "payment";
    paid.textContent = `✅ Paid ${money(message.payment.total_amount, message.payment.currency)}`;
    bubble.append(paid);
  }
  const body = document.createElement("div");
  body.className = "text";
  body.append(safeHtml(message.html));
  bubble.append(body);
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = message.edited ? "edited" : "";
  bubble.append(meta);
  node.append(bubble);
  let buttons = message.buttons;
  if (message.invoice && !buttons.flat().some((b) => b.pay)) {
    // Telegram draws a Pay button under an invoice that has no keyboard of its own.
    const total = money(message.invoice.total_amount, message.invoice.currency);
    buttons = [[{ text: `Pay ${total}`, pay: true }], ...buttons];
  }
  if (buttons.length) node.append(renderKeyboard(view, message, buttons));
  const reply = document.createElement("button");
  reply.type = "button";
  reply.className = "reply-btn";
  reply.textContent = "↩ Reply";
  reply.addEventListener("click", () => startReply(view, message));
  node.append(reply);
  return node;
}

function fileLink(fileId, label) {
  const link = document.createElement("a");
  link.className = "attachment";
  link.href = `/api/files/${encodeURIComponent(fileId)}`;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = label;
  return link;
}

function renderInvoice(invoice) {
  const card = document.createElement("div");
  card.className = "invoice";
  const title = document.createElement("div");
  title.className = "title";
  title.textContent = invoice.title;
  const description = document.createElement("div");
  description.textContent = invoice.description;
  const amount = document.createElement("div");
  amount.className = "amount";
  amount.textContent = money(invoice.total_amount, invoice.currency);
  card.append(title, description, amount);
  return card;
}

function money(amount, currency) {
  const exponent = currency in EXPONENTS ? EXPONENTS[currency] : 2;
  const value = (amount / 10 ** exponent).toFixed(exponent);
  return currency === "XTR" ? `⭐ ${value}` : `${value} ${currency}`;
}

// Telegram's HTML subset only: anything else becomes its text.
function safeHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  clean(template.content);
  return template.content;
}

function clean(parent) {
  for (const child of [...parent.childNodes]) {
    if (child.nodeType === Node.TEXT_NODE) continue;
    if (child.nodeType !== Node.ELEMENT_NODE || !ALLOWED_TAGS.has(child.tagName)) {
      child.replaceWith(document.createTextNode(child.textContent || ""));
      continue;
    }
    const href = child.tagName === "A" ? child.getAttribute("href") || "" : "";
    const spoiler =
      child.tagName === "TG-SPOILER" ||
      (child.tagName === "SPAN" && child.getAttribute("class") === "tg-spoiler");
    for (const attribute of [...child.attributes]) child.removeAttribute(attribute.name);
    if (spoiler) {
      child.className = "tg-spoiler";
      child.addEventListener("click", () => child.classList.add("shown"));
    }
    if (child.tagName === "A" && /^(https?|tg):/i.test(href)) {
      child.setAttribute("href", href);
      child.setAttribute("target", "_blank");
      child.setAttribute("rel", "noopener");
      child.addEventListener("click", (event) => {
        const view = chatOf(child);
        if (view && followDeepLink(view, href)) event.preventDefault();
      });
    }
    clean(child);
  }
}

function chatOf(element) {
  const node = element.closest ? element.closest(".chat") : null;
  return node ? app.chats.get(Number(node.dataset.person)) : null;
}

// A t.me link to this bot with ?start=... opens the chat with that payload, as Telegram does.
function followDeepLink(view, href) {
  let url;
  try {
    url = new URL(href);
  } catch (error) {
    return false;
  }
  const name = url.pathname.replace(/^\//, "").toLowerCase();
  if (!/^(t\.me|telegram\.me)$/i.test(url.hostname) || name !== app.botUsername.toLowerCase()) {
    return false;
  }
  const payload = url.searchParams.get("start");
  sendText(view, payload ? `/start ${payload}` : "/start");
  return true;
}

function renderKeyboard(view, message, buttons) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of buttons) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const press = document.createElement("button");
      press.type = "button";
      press.textContent = button.text + (button.url ? " ↗" : "");
      if (button.pay) press.classList.add("pay");
      press.addEventListener("click", () => pressButton(view, message, button, press));
      line.append(press);
    }
    keyboard.append(line);
  }
  return keyboard;
}

async function pressButton(view, message, button, element) {
  element.classList.add("busy");
  try {
    if (button.pay) {
      await api(`/api/people/${view.person.id}/pay`, { message_id: message.id });
    } else if (button.callback_data !== undefined) {
      const answer = await api(`/api/people/${view.person.id}/click`, {
        message_id: message.id,
        callback_data: button.callback_data,
      });
      if (answer.text) toast(view, answer.text, answer.show_alert);
      if (answer.url) followDeepLink(view, answer.url);
    } else if (button.url) {
      if (!followDeepLink(view, button.url)) window.open(button.url, "_blank", "noopener");
    } else if (button.switch_inline_query_current_chat !== undefined) {
      view.input.value = `@${app.botUsername} ${button.switch_inline_query_current_chat}`;
      view.input.focus();
      inlineSearch(view);
    }
  } catch (error) {
    toast(view, error.message, true);
  } finally {
    element.classList.remove("busy");
  }
}

function toast(view, text, alert) {
  const box = view.node.querySelector(".toast");
  box.textContent = text;
  box.classList.toggle("alert", Boolean(alert));
  box.hidden = false;
  clearTimeout(view.toastTimer);
  if (alert) {
    box.onclick = () => (box.hidden = true);
  } else {
    view.toastTimer = setTimeout(() => (box.hidden = true), 3000);
  }
}

// -- typing, replying, files, commands, inline mode --------------------------------------

function wireComposer(view) {
  const node = view.node;
  node.querySelector(".composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = view.input.value;
    if (!text.trim() || isInline(text)) return;
    view.input.value = "";
    hideInline(view);
    sendText(view, text, view.replyTo);
  });
  node.querySelector(".start").addEventListener("click", () => sendText(view, "/start"));
  node.querySelector(".cancel-reply").addEventListener("click", () => stopReply(view));
  const file = node.querySelector(".file");
  node.querySelector(".attach").addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("file", file.files[0]);
    file.value = "";
    try {
      await api(`/api/people/${view.person.id}/file`, form);
    } catch (error) {
      toast(view, error.message, true);
    }
  });
  const commands = node.querySelector(".commands");
  node.querySelector(".menu").addEventListener("click", () => {
    if (!commands.hidden) {
      commands.hidden = true;
      return;
    }
    commands.replaceChildren();
    for (const command of view.person.commands) {
      const item = document.createElement("button");
      item.type = "button";
      const name = document.createElement("span");
      name.className = "cmd";
      name.textContent = `/${command.command}`;
      item.append(name, document.createTextNode(command.description));
      item.addEventListener("click", () => {
        commands.hidden = true;
        sendText(view, `/${command.command}`);
      });
      commands.append(item);
    }
    commands.hidden = false;
  });
  view.input.addEventListener("input", () => {
    if (isInline(view.input.value)) {
      clearTimeout(view.inlineTimer);
      view.inlineTimer = setTimeout(() => inlineSearch(view), 250);
    } else {
      hideInline(view);
    }
  });
}

async function sendText(view, text, replyTo = null) {
  const body = { text };
  if (replyTo) body.reply_to = replyTo.id;
  stopReply(view);
  try {
    await api(`/api/people/${view.person.id}/text`, body);
  } catch (error) {
    toast(view, error.message, true);
  }
}

function startReply(view, message) {
  view.replyTo = message;
  const bar = view.node.querySelector(".replying");
  const plain = document.createElement("div");
  plain.append(safeHtml(message.html));
  bar.querySelector(".replying-text").textContent = `↩ ${plain.textContent.slice(0, 80)}`;
  bar.hidden = false;
  view.input.focus();
}

function stopReply(view) {
  view.replyTo = null;
  view.node.querySelector(".replying").hidden = true;
}

function setReplyKeyboard(view, keyboard) {
  const pane = view.node.querySelector(".reply-keyboard");
  pane.replaceChildren();
  view.input.placeholder = (keyboard && keyboard.placeholder) || "Message";
  if (!keyboard) {
    pane.hidden = true;
    return;
  }
  for (const row of keyboard.rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const text of row) {
      const key = document.createElement("button");
      key.type = "button";
      key.textContent = text;
      key.addEventListener("click", () => {
        if (keyboard.one_time) pane.hidden = true;
        sendText(view, text);
      });
      line.append(key);
    }
    pane.append(line);
  }
  pane.hidden = false;
}

function isInline(text) {
  return text.toLowerCase().startsWith(`@${app.botUsername.toLowerCase()} `);
}

function hideInline(view) {
  clearTimeout(view.inlineTimer);
  view.node.querySelector(".inline-results").hidden = true;
}

async function inlineSearch(view) {
  const text = view.input.value;
  if (!isInline(text)) return;
  const query = text.slice(app.botUsername.length + 2);
  const seq = ++view.inlineSeq;
  let answer;
  try {
    answer = await api(`/api/people/${view.person.id}/inline`, { query });
  } catch (error) {
    return;
  }
  if (seq !== view.inlineSeq) return; // a newer query is on its way
  const pane = view.node.querySelector(".inline-results");
  pane.replaceChildren();
  if (!answer.results.length) {
    const none = document.createElement("div");
    none.className = "empty";
    none.textContent = "No results";
    pane.append(none);
  }
  for (const result of answer.results) {
    const item = document.createElement("button");
    item.type = "button";
    item.className = "result";
    const title = document.createElement("div");
    title.className = "title";
    title.textContent = result.title;
    const description = document.createElement("div");
    description.className = "muted";
    description.textContent = result.description;
    item.append(title, description);
    item.addEventListener("click", () => {
      const link = result.buttons.flat().find((b) => b.url);
      view.input.value = "";
      hideInline(view);
      if (link) followDeepLink(view, link.url);
    });
    pane.append(item);
  }
  pane.hidden = false;
}

// -- top bar -----------------------------------------------------------------------------

function wireTopBar() {
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", async () => {
      const all = document.querySelectorAll("[data-step]");
      all.forEach((b) => (b.disabled = true));
      try {
        const result = await api("/api/clock", { step: button.dataset.step });
        setClock(result);
        logLine("info", "clock", `+1 ${button.dataset.step}: now ${result.now.slice(0, 16)} UTC`);
      } catch (error) {
        // already in the log
      } finally {
        all.forEach((b) => (b.disabled = false));
      }
    });
  }
  document.getElementById("reset").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try {
      await api("/api/reset");
    } catch (error) {
      // already in the log
    } finally {
      event.target.disabled = false;
    }
  });
  document.getElementById("add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.elements.name;
    try {
      await api("/api/people", { name: input.value });
      input.value = "";
    } catch (error) {
      // already in the log
    }
  });
  document.getElementById("clear-log").addEventListener("click", () => {
    document.getElementById("log").replaceChildren();
  });
}

wireTopBar();
connect();
setInterval(showClock, 30000);
