// bidgram sandbox: people's Telegram chats with the bot, side by side (one at a time on a phone).
// Plain JavaScript, no build and no CDN. The server streams every change as server-sent
// events (/api/events); the page acts through the JSON API as the person whose chat it is.
// A module: nothing here is global but window.sandboxRev, which the browser tests read.

const ALLOWED_TAGS = new Set([
  "B", "STRONG", "I", "EM", "U", "INS", "S", "STRIKE", "DEL", "CODE", "PRE", "A",
  "SPAN", "TG-SPOILER", "BLOCKQUOTE", "TG-EMOJI", "BR",
]);
const EXPONENTS = { XTR: 0, JPY: 0, KRW: 0 };
const BOT = "bot"; // the key of a person's chat with the bot; chats with people are keyed by id
const TELEGRAM_WEB = "https://t.me/"; // a link opened in a new tab; the page loads nothing from it
const GUIDE_KEY = "bidgram-sandbox:first-steps-hidden";
const TOAST_MS = 2000;
const LONG_PRESS_MS = 500;

// The first steps, in order. A step is done once the bot has said `done.says` to
// `done.who`: the guide follows what really happened (Reset, the demo, a step taken
// out of order), never a timer. The current step is the one after the last done.
const FIRST_STEPS = [
  { who: "Erin", text: "Press START. Erin is an employer; each chat here is one person's Telegram.",
    done: { who: "Erin", says: /./ } },
  { who: "Frank", text: "Press START. Frank is a freelancer.", done: { who: "Frank", says: /./ } },
  { who: "Frank", text: "Send /profile and complete it: his skills decide which new projects he hears of.",
    done: { who: "Frank", says: /profile is complete/i } },
  { who: "Erin", text: "Post a project with /post, answer the questions, then Publish.",
    done: { who: "Erin", says: /is live/i } },
  { who: "Frank", text: "Look at the new-project alert and bid.",
    done: { who: "Erin", says: /new bid on/i } },
  { who: "Erin", text: "Award Frank: press Award under his bid.",
    done: { who: "Frank", says: /you are offered/i } },
  { who: "Frank", text: "Accept the offer: the contract starts.",
    done: { who: "Frank", says: /contract has started/i } },
  { who: "Erin", text: "Open the contract, add a milestone and fund it (test money).",
    done: { who: "Frank", says: /held in escrow/i } },
  { who: "Frank", text: "Deliver the work; 📎 sends a file with it.",
    done: { who: "Erin", says: /delivered/i } },
  { who: "Erin", text: "Release the money, or press +1 week twice and watch it release itself.",
    done: { who: "Frank", says: /released/i } },
];
const LAST_STEP = {
  who: "Anyone",
  text: "That is the whole deal. Try inline mode: open Chats, pick someone and type @BOT bakery.",
};

// What a chat links by itself, as Telegram does: URLs, /commands and @mentions.
const LINKABLE =
  /(https?:\/\/[^\s<>"]+|\bt\.me\/[^\s<>"]+)|(^|[\s(])(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?![\w/])|(^|[^\w@/])@([A-Za-z0-9_]{3,32})\b/g;

const app = {
  bot: { name: "", username: "", description: "" },
  currency: "USD",
  exponent: 2,
  offsetSeconds: 0,
  chats: new Map(), // person id -> chat view
  people: new Map(), // person id -> person (name, username, role)
  shown: null, // the person whose chat a phone shows
  rev: 0, // bumped by every message drawn or redrawn: "newer than" for tests and scrolling
};
window.sandboxRev = () => app.rev;

// -- small helpers -----------------------------------------------------------------------

function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function botTime(seconds = null) {
  return new Date(seconds === null ? Date.now() + app.offsetSeconds * 1000 : seconds * 1000);
}

function hhmm(date) {
  return date.toISOString().slice(11, 16);
}

function dayOf(date) {
  return date.toLocaleDateString("en-GB", {
    weekday: "short", day: "numeric", month: "long", timeZone: "UTC",
  });
}

function initial(name) {
  return (name || "?").slice(0, 1).toUpperCase();
}

// -- talking to the server ---------------------------------------------------------------

// Every call is JSON (a file goes as FormData): the server refuses other bodies, which any
// web site could send it.
async function api(path, body = {}) {
  const init = { method: "POST" };
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
  events.addEventListener("person", (e) => {
    addChat(JSON.parse(e.data));
    renderTabs();
  });
  events.addEventListener("chat", (e) => applyChange(JSON.parse(e.data)));
  events.addEventListener("clock", (e) => setClock(JSON.parse(e.data)));
  events.addEventListener("log", (e) => {
    const entry = JSON.parse(e.data);
    logLine(entry.level, entry.source, entry.text);
  });
}

// -- the whole page ----------------------------------------------------------------------

function renderAll(state) {
  app.bot = state.bot;
  app.currency = state.currency;
  app.exponent = state.currency_exponent;
  document.getElementById("chats").replaceChildren();
  app.chats.clear();
  app.people.clear();
  for (const person of state.people) app.people.set(person.id, person);
  for (const person of state.people) addChat(person);
  if (!app.chats.has(app.shown)) app.shown = state.people.length ? state.people[0].id : null;
  renderTabs();
  setClock(state.clock);
  updateGuide();
  document.fonts.ready.then(() => {
    for (const view of app.chats.values()) toBottom(paneOf(view, view.current));
  });
  document.body.dataset.ready = "true";
}

function setClock(clock) {
  app.offsetSeconds = clock.offset_seconds;
  showClock();
}

function showClock() {
  const text = botTime().toISOString().replace("T", " ").slice(0, 16) + " UTC";
  const ahead = app.offsetSeconds > 0 ? `+${describeOffset(app.offsetSeconds)}` : "now";
  document.getElementById("clock-now").textContent = text;
  document.getElementById("clock-offset").textContent = `(${ahead})`;
  document.getElementById("clock-short").textContent = `${hhmm(botTime())} · ${ahead}`;
}

function describeOffset(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const parts = [];
  if (days) parts.push(`${days} day${days === 1 ? "" : "s"}`);
  if (hours) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  return parts.join(" ") || `${Math.round(seconds / 60)} min`;
}

// Log lines carry bot time: what the timers did is read against the clock that moved.
function logLine(level, source, text) {
  const list = document.getElementById("log");
  const item = el("li", `level-${level}`);
  const when = botTime().toISOString().replace("T", " ").slice(5, 19);
  item.textContent = `${when} ${source}: ${text}`;
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

// -- a phone's tabs: one person's chat at a time -----------------------------------------

function renderTabs() {
  const tabs = document.getElementById("tabs");
  tabs.replaceChildren();
  tabs.setAttribute("role", "tablist");
  for (const view of app.chats.values()) {
    const tab = el("button", "", view.person.name);
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.dataset.person = view.person.id;
    tab.addEventListener("click", () => showPerson(view.person.id));
    tabs.append(tab);
  }
  showPerson(app.shown);
}

function showPerson(personId) {
  app.shown = personId;
  for (const view of app.chats.values()) {
    const shown = view.person.id === personId;
    view.node.classList.toggle("active", shown);
    if (shown && !view.seen) {
      view.seen = true; // first shown on a phone: hidden until now, it could not scroll
      toBottom(paneOf(view, view.current));
    }
  }
  for (const tab of document.querySelectorAll("#tabs button")) {
    tab.setAttribute("aria-selected", String(Number(tab.dataset.person) === personId));
  }
  markGuided();
}

// -- first steps ---------------------------------------------------------------------------

function currentStep() {
  let next = 0;
  FIRST_STEPS.forEach((step, index) => {
    if (botSaid(step.done.who, step.done.says)) next = index + 1;
  });
  return next;
}

function botSaid(name, pattern) {
  const view = viewNamed(name);
  if (!view) return false;
  const messages = paneOf(view, BOT).querySelectorAll(".msg.from-bot .text");
  return [...messages].some((text) => pattern.test(text.textContent));
}

function viewNamed(name) {
  return [...app.chats.values()].find((view) => view.person.name === name) || null;
}

function updateGuide() {
  const guide = document.getElementById("guide");
  if (localStorage.getItem(GUIDE_KEY) === "yes" || !app.chats.size) {
    guide.hidden = true;
    markGuided();
    return;
  }
  const index = currentStep();
  const step = FIRST_STEPS[index] || LAST_STEP;
  guide.dataset.step = String(index + 1);
  guide.querySelector(".guide-count").textContent =
    index < FIRST_STEPS.length ? `First steps ${index + 1}/${FIRST_STEPS.length}` : "First steps ✓";
  guide.querySelector(".guide-who").textContent = `${step.who}:`;
  guide.querySelector(".guide-text").textContent = step.text.replace("@BOT", `@${app.bot.username}`);
  guide.querySelector(".guide-go").hidden = !viewNamed(step.who);
  guide.hidden = false;
  markGuided();
}

function guidedView() {
  const guide = document.getElementById("guide");
  if (guide.hidden) return null;
  const step = FIRST_STEPS[Number(guide.dataset.step) - 1];
  return step ? viewNamed(step.who) : null;
}

function markGuided() {
  const guided = guidedView();
  for (const view of app.chats.values()) view.node.classList.toggle("guided", view === guided);
  for (const tab of document.querySelectorAll("#tabs button")) {
    tab.classList.toggle("guided", Boolean(guided) && Number(tab.dataset.person) === guided.person.id);
  }
}

function wireGuide() {
  const guide = document.getElementById("guide");
  guide.querySelector(".guide-close").addEventListener("click", () => {
    localStorage.setItem(GUIDE_KEY, "yes");
    updateGuide();
  });
  guide.querySelector(".guide-go").addEventListener("click", () => {
    const view = guidedView() || viewNamed((FIRST_STEPS[currentStep()] || LAST_STEP).who);
    if (!view) return;
    showPerson(view.person.id);
    view.node.scrollIntoView({ behavior: "smooth", inline: "center", block: "nearest" });
    const start = view.node.querySelector(".start");
    (view.node.classList.contains("empty") ? start : view.input).focus();
  });
  document.getElementById("show-guide").addEventListener("click", () => {
    localStorage.removeItem(GUIDE_KEY);
    updateGuide();
  });
}

let guideQueued = false;
function queueGuide() {
  if (guideQueued) return;
  guideQueued = true;
  requestAnimationFrame(() => {
    guideQueued = false;
    updateGuide();
  });
}

// -- one person's Telegram: their chat with the bot, and chats with other people ----------

// A client's language under its own name, as the Add person form lists them.
function languageName(code) {
  const option = document.querySelector(`#add-person select[name=language] option[value="${code}"]`);
  return option ? option.textContent : code;
}

function addChat(person) {
  if (app.chats.has(person.id)) return;
  app.people.set(person.id, person);
  const node = document.getElementById("chat-template").content.firstElementChild.cloneNode(true);
  node.dataset.person = person.id;
  node.dataset.name = person.name;
  node.querySelector(".owner-avatar").textContent = initial(person.name);
  const owner = node.querySelector(".owner");
  owner.textContent = [
    `${person.name}'s Telegram`,
    person.role,
    ...(person.language ? [languageName(person.language)] : []),
    ...(person.username ? ["@" + person.username] : []),
  ].join(" · ");
  owner.title = owner.textContent; // the whole line, where a narrow column cuts it
  node.dataset.language = person.language || "";
  const view = {
    person,
    node,
    panes: new Map(), // BOT or a person's id -> its .messages element
    current: BOT,
    unread: new Map(),
    input: node.querySelector(".text"),
    replyTo: null,
    inlineTimer: null,
    inlineSeq: 0,
    toastTimer: null,
    seen: false,
  };
  app.chats.set(person.id, view);
  wireChat(view);
  wireComposer(view);
  for (const message of person.messages) upsertMessage(view, BOT, message);
  for (const chat of person.chats || []) {
    for (const message of chat.messages) upsertMessage(view, chat.with, message);
  }
  setReplyKeyboard(view, person.reply_keyboard);
  document.getElementById("chats").append(node);
  showChat(view, BOT);
}

function paneOf(view, key) {
  let pane = view.panes.get(key);
  if (!pane) {
    pane = el("div", "messages");
    pane.dataset.chat = String(key);
    pane.hidden = true;
    view.panes.set(key, pane);
    view.node.querySelector(".panes").append(pane);
  }
  return pane;
}

function showChat(view, key) {
  view.current = key;
  for (const [other, pane] of view.panes) pane.hidden = other !== key;
  const pane = paneOf(view, key);
  pane.hidden = false;
  view.unread.delete(key);
  const head = view.node.querySelector(".chat-head");
  const withPerson = key !== BOT;
  const peer = withPerson ? app.people.get(key) : null;
  head.querySelector(".back").hidden = !withPerson;
  const avatar = head.querySelector(".avatar");
  avatar.classList.toggle("bot", !withPerson);
  avatar.textContent = initial(withPerson ? peer.name : app.bot.name);
  head.querySelector(".name").textContent = withPerson ? peer.name : app.bot.name;
  head.querySelector(".status").textContent =
    withPerson ? (peer.username ? `@${peer.username}` : "") : "bot";
  view.node.classList.toggle("with-person", withPerson);
  view.node.querySelector(".chat-list").hidden = true;
  view.node.querySelector(".reply-keyboard").hidden = withPerson || !view.keyboard;
  stopReply(view);
  hideInline(view);
  updateEmpty(view);
  showUnread(view);
  toBottom(pane);
}

// Telegram shows the bot's description in an empty chat, and START instead of the input.
function updateEmpty(view) {
  const pane = paneOf(view, BOT);
  const empty = view.current === BOT && !pane.querySelector(".msg");
  view.node.classList.toggle("empty", empty);
  let intro = pane.querySelector(".intro");
  const description = view.person.description || app.bot.description;
  if (empty && !intro && description) {
    intro = el("div", "intro");
    intro.append(el("h3", "", "What can this bot do?"), el("div", "", description));
    pane.append(intro);
  } else if (!empty && intro) {
    intro.remove();
  }
}

function showUnread(view) {
  const count = [...view.unread.values()].reduce((a, b) => a + b, 0);
  const badge = view.node.querySelector(".unread");
  badge.textContent = String(count);
  badge.hidden = count === 0;
}

function renderChatList(view) {
  const list = view.node.querySelector(".chat-list");
  list.replaceChildren();
  const entries = [[BOT, app.bot.name, "bot"]];
  for (const person of app.people.values()) {
    if (person.id !== view.person.id) entries.push([person.id, person.name, person.role]);
  }
  for (const [key, name, what] of entries) {
    const item = el("button", key === view.current ? "current" : "");
    item.type = "button";
    item.dataset.chat = String(key);
    const avatar = el("span", key === BOT ? "avatar bot" : "avatar", initial(name));
    const label = el("span", "", name);
    label.append(el("span", "muted", ` · ${what}`));
    const unread = view.unread.get(key);
    if (unread) label.append(el("span", "unread", String(unread)));
    item.append(avatar, label);
    item.addEventListener("click", () => showChat(view, key));
    list.append(item);
  }
}

function wireChat(view) {
  const node = view.node;
  node.querySelector(".chats-button").addEventListener("click", () => {
    const list = node.querySelector(".chat-list");
    if (list.hidden) renderChatList(view);
    list.hidden = !list.hidden;
  });
  node.querySelector(".back").addEventListener("click", () => showChat(view, BOT));
  node.querySelector(".alert-ok").addEventListener("click", () => {
    node.querySelector(".alert").hidden = true;
  });
  node.addEventListener("click", (event) => followLink(view, event));
  wireLongPress(view);
}

function applyChange(change) {
  const view = app.chats.get(change.person);
  if (!view) return;
  const key = change.with === undefined ? BOT : change.with;
  if (change.kind === "deleted") {
    const gone = paneOf(view, key).querySelector(`.msg[data-id="${change.id}"]`);
    if (gone) gone.remove();
  } else {
    upsertMessage(view, key, change.message);
    const mine = change.message.sender === view.person.id;
    if (key !== view.current && !mine && change.kind === "sent") {
      view.unread.set(key, (view.unread.get(key) || 0) + 1);
      showUnread(view);
    }
  }
  if (key === BOT) setReplyKeyboard(view, change.reply_keyboard);
  updateEmpty(view);
  queueGuide();
}

function upsertMessage(view, key, message) {
  const pane = paneOf(view, key);
  const node = renderMessage(view, key, message);
  const old = pane.querySelector(`.msg[data-id="${message.id}"]`);
  if (old) {
    old.replaceWith(node); // edited in place
    return;
  }
  const all = [...pane.querySelectorAll(".msg")];
  const at = all.findIndex((m) => Number(m.dataset.id) > message.id);
  const later = at === -1 ? null : all[at];
  const previous = at === -1 ? all[all.length - 1] : all[at - 1];
  const before = later || pane.querySelector(".intro");
  const day = dayOf(botTime(message.date));
  if (!previous || previous.dataset.day !== day) {
    const divider = el("div", "day", day);
    divider.dataset.day = day;
    pane.insertBefore(divider, before || null);
  }
  const atBottom = pane.scrollHeight - pane.scrollTop - pane.clientHeight < 80;
  pane.insertBefore(node, before || null);
  if (atBottom || message.sender === view.person.id) toBottom(pane);
}

// After layout (pictures and emoji change heights), so the newest message is in view.
function toBottom(pane) {
  pane.scrollTop = pane.scrollHeight;
  requestAnimationFrame(() => (pane.scrollTop = pane.scrollHeight));
}

// -- a message ---------------------------------------------------------------------------

function renderMessage(view, key, message) {
  const side = message.from_bot ? "from-bot" : message.sender === view.person.id ? "from-me" : "from-them";
  const node = el("div", `msg ${side}${message.protected ? " protected" : ""}`);
  node.dataset.id = message.id;
  node.dataset.rev = ++app.rev;
  node.dataset.day = dayOf(botTime(message.date));
  const bubble = el("div", "bubble");
  if (message.via_bot) bubble.append(el("div", "via", `via @${message.via_bot}`));
  if (message.reply_to) bubble.append(el("div", "reply-to", message.reply_to.text || "(message)"));
  bubble.append(...renderMedia(message));
  const body = el("div", "text");
  body.append(linkify(safeHtml(message.html)));
  bubble.append(body);
  // Sent with protect_content: Telegram's apps neither forward nor save it.
  if (message.protected) bubble.append(el("div", "protected-mark", "🔒 Protected: forwarding and saving are off"));
  bubble.append(renderMeta(message, side === "from-me"));
  node.append(bubble);
  const buttons = keyboardOf(message);
  if (buttons.length) node.append(renderKeyboard(view, key, message, buttons));
  if (key === BOT && !buttons.flat().some((b) => /\breply\b/i.test(b.text))) {
    node.append(replyButton(view, message)); // relayed messages bring their own Reply
  }
  return node;
}

function renderMedia(message) {
  const parts = [];
  if (message.thumbnail) parts.push(thumbnail(message.thumbnail));
  if (message.document) parts.push(fileRow(message.document));
  if (message.sticker) parts.push(el("div", "sticker", message.sticker));
  if (message.invoice) parts.push(renderInvoice(message.invoice));
  if (message.payment) {
    const total = money(message.payment.total_amount, message.payment.currency);
    parts.push(el("div", "payment", `✅ Paid ${total}`));
  }
  return parts;
}

// A picture is shown from the thumbnail route (real PNG/JPEG/GIF/WebP only) and, like any
// file, opened as a download.
function thumbnail(fileId) {
  const link = downloadLink(fileId, "thumb");
  const image = el("img");
  image.alt = "photo";
  image.loading = "lazy";
  image.src = `/api/thumbnails/${encodeURIComponent(fileId)}`;
  image.addEventListener("error", () => link.remove());
  link.append(image);
  return link;
}

function fileRow(document_) {
  const link = downloadLink(document_.file_id, "attachment");
  const text = el("span");
  text.append(el("div", "file-name", document_.file_name));
  if (document_.size) text.append(el("div", "muted", fileSize(document_.size)));
  link.append(el("span", "icon", "📄"), text);
  return link;
}

function downloadLink(fileId, className) {
  const link = el("a", className);
  link.href = `/api/files/${encodeURIComponent(fileId)}`;
  link.target = "_blank";
  link.rel = "noopener";
  return link;
}

function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// The time in bot time, "edited", and the ticks of one's own (read) messages.
function renderMeta(message, mine) {
  const meta = el("span", "meta");
  const parts = [message.edited ? "edited" : "", hhmm(botTime(message.date)), mine ? "✓✓" : ""];
  meta.textContent = parts.filter(Boolean).join(" ");
  return meta;
}

function keyboardOf(message) {
  if (message.invoice && !message.buttons.flat().some((b) => b.pay)) {
    // Telegram draws a Pay button under an invoice that has no keyboard of its own.
    const total = money(message.invoice.total_amount, message.invoice.currency);
    return [[{ text: `Pay ${total}`, pay: true }], ...message.buttons];
  }
  return message.buttons;
}

function renderInvoice(invoice) {
  const card = el("div", "invoice");
  card.append(
    el("div", "title", invoice.title),
    el("div", "", invoice.description),
    el("div", "amount", money(invoice.total_amount, invoice.currency)),
  );
  return card;
}

function money(amount, currency) {
  const exponent = currency in EXPONENTS ? EXPONENTS[currency] : 2;
  // Written as the bot writes amounts: thousands separated by commas ("⭐ 1,200").
  const value = (amount / 10 ** exponent).toLocaleString("en-US", {
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
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
    if (spoiler) child.className = "tg-spoiler";
    if (child.tagName === "A" && /^(https?|tg):/i.test(href)) outsideLink(child, href);
    clean(child);
  }
}

function outsideLink(link, href) {
  link.setAttribute("href", href);
  link.setAttribute("target", "_blank");
  link.setAttribute("rel", "noopener noreferrer");
  return link;
}

// URLs, /commands and @mentions in plain text become links (never inside code or a link).
function linkify(fragment) {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    if (!walker.currentNode.parentElement?.closest("a, code, pre")) texts.push(walker.currentNode);
  }
  for (const text of texts) linkifyText(text);
  return fragment;
}

function linkifyText(node) {
  const value = node.nodeValue;
  const parts = [];
  let last = 0;
  for (const match of value.matchAll(LINKABLE)) {
    const [whole, url, before, command, beforeMention, mention] = match;
    const start = match.index + (url ? 0 : (before ?? beforeMention).length);
    let link;
    let end = match.index + whole.length;
    if (url) {
      const trimmed = url.replace(/[.,;:!?)'"]+$/, "");
      end = match.index + trimmed.length;
      const href = /^https?:/i.test(trimmed) ? trimmed : TELEGRAM_WEB + trimmed.slice(5);
      link = outsideLink(el("a", "", trimmed), href);
    } else if (command) {
      link = el("a", "command", command);
      link.href = "#";
      link.dataset.command = command;
    } else {
      link = el("a", "mention", `@${mention}`);
      link.href = "#";
      link.dataset.mention = mention;
    }
    parts.push(document.createTextNode(value.slice(last, start)), link);
    last = end;
  }
  if (!parts.length) return;
  parts.push(document.createTextNode(value.slice(last)));
  node.replaceWith(...parts);
}

// -- links, buttons and answers -------------------------------------------------------------

function followLink(view, event) {
  const spoiler = event.target.closest(".tg-spoiler");
  if (spoiler) spoiler.classList.add("shown");
  const link = event.target.closest(".bubble a");
  if (!link) return;
  if (link.dataset.command) {
    event.preventDefault();
    sendText(view, link.dataset.command);
  } else if (link.dataset.mention) {
    event.preventDefault();
    const name = link.dataset.mention;
    if (!openUsername(view, name, null)) window.open(TELEGRAM_WEB + name, "_blank", "noopener");
  } else if (link.closest(".text") && openTelegramLink(view, link.href)) {
    event.preventDefault();
  }
}

// A t.me link opens the chat it names, as Telegram does: the bot (with ?start=... sent as
// /start <payload>), or one of the people. False for anything else (a new tab opens it).
function openTelegramLink(view, href) {
  let url;
  try {
    url = new URL(href);
  } catch (error) {
    return false;
  }
  if (!/^(t\.me|telegram\.me)$/i.test(url.hostname)) return false;
  const name = url.pathname.replace(/^\//, "").split("/")[0];
  return openUsername(view, name, url.searchParams.get("start"));
}

function openUsername(view, name, startPayload) {
  const wanted = name.toLowerCase();
  if (wanted === app.bot.username.toLowerCase()) {
    showChat(view, BOT);
    if (startPayload !== null) sendText(view, startPayload ? `/start ${startPayload}` : "/start");
    return true;
  }
  const person = [...app.people.values()].find((p) => (p.username || "").toLowerCase() === wanted);
  if (person && person.id !== view.person.id) showChat(view, person.id);
  return Boolean(person);
}

function renderKeyboard(view, key, message, buttons) {
  const keyboard = el("div", "keyboard");
  for (const row of buttons) {
    const line = el("div", "row");
    for (const button of row) {
      const press = el("button", button.pay ? "pay" : "", button.text + (button.url ? " ↗" : ""));
      press.type = "button";
      if (button.callback_data !== undefined) press.dataset.callback = button.callback_data;
      press.addEventListener("click", () => pressButton(view, key, message, button, press));
      line.append(press);
    }
    keyboard.append(line);
  }
  return keyboard;
}

async function pressButton(view, key, message, button, element) {
  element.classList.add("busy");
  try {
    if (button.pay) {
      await api(`/api/people/${view.person.id}/pay`, { message_id: message.id });
    } else if (button.callback_data !== undefined) {
      const body = { message_id: message.id, callback_data: button.callback_data };
      if (key !== BOT) body.with = key;
      const answer = await api(`/api/people/${view.person.id}/click`, body);
      if (answer.text) answerPress(view, answer.text, answer.show_alert);
      if (answer.url && !openTelegramLink(view, answer.url)) {
        window.open(answer.url, "_blank", "noopener");
      }
    } else if (button.url) {
      if (!openTelegramLink(view, button.url)) window.open(button.url, "_blank", "noopener");
    } else if (button.switch_inline_query_current_chat !== undefined) {
      view.input.value = `@${app.bot.username} ${button.switch_inline_query_current_chat}`;
      view.input.focus();
      inlineSearch(view);
    }
  } catch (error) {
    answerPress(view, error.message, true);
  } finally {
    element.classList.remove("busy");
  }
}

// The bot's answer to a press: an alert waits for OK, a toast fades after two seconds.
function answerPress(view, text, alert) {
  if (alert) {
    view.node.querySelector(".alert-text").textContent = text;
    view.node.querySelector(".alert").hidden = false;
    view.node.querySelector(".alert-ok").focus();
    return;
  }
  const box = view.node.querySelector(".toast");
  box.textContent = text;
  box.classList.remove("fading");
  box.hidden = false;
  clearTimeout(view.toastTimer);
  view.toastTimer = setTimeout(() => {
    box.classList.add("fading");
    view.toastTimer = setTimeout(() => (box.hidden = true), 400);
  }, TOAST_MS);
}

// -- replying ------------------------------------------------------------------------------

function replyButton(view, message) {
  const reply = el("button", "reply-btn", "↩");
  reply.type = "button";
  reply.title = "Reply";
  reply.setAttribute("aria-label", "Reply");
  reply.addEventListener("click", () => startReply(view, message));
  return reply;
}

// On a touch screen a long press shows the message's Reply, as Telegram's menu would.
function wireLongPress(view) {
  let timer = null;
  view.node.addEventListener("pointerdown", (event) => {
    for (const pressed of view.node.querySelectorAll(".msg.pressed")) pressed.classList.remove("pressed");
    const message = event.target.closest(".msg");
    if (!message || event.pointerType === "mouse") return;
    timer = setTimeout(() => message.classList.add("pressed"), LONG_PRESS_MS);
  });
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) {
    view.node.addEventListener(name, () => clearTimeout(timer));
  }
}

function startReply(view, message) {
  view.replyTo = message;
  const bar = view.node.querySelector(".replying");
  const plain = el("div");
  plain.append(safeHtml(message.html));
  bar.querySelector(".replying-text").textContent = `↩ ${plain.textContent.slice(0, 80)}`;
  bar.hidden = false;
  view.input.focus();
}

function stopReply(view) {
  view.replyTo = null;
  view.node.querySelector(".replying").hidden = true;
}

// -- typing, files, commands, inline mode --------------------------------------------------

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
  wireFile(view);
  node.querySelector(".menu-button").addEventListener("click", () => toggleCommands(view));
  view.input.addEventListener("input", () => {
    if (isInline(view.input.value)) {
      clearTimeout(view.inlineTimer);
      view.inlineTimer = setTimeout(() => inlineSearch(view), 250);
    } else {
      hideInline(view);
    }
  });
}

function wireFile(view) {
  const file = view.node.querySelector(".file");
  view.node.querySelector(".attach").addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("file", file.files[0]);
    file.value = "";
    try {
      await api(`/api/people/${view.person.id}/file`, form);
    } catch (error) {
      answerPress(view, error.message, true);
    }
  });
}

function toggleCommands(view) {
  const commands = view.node.querySelector(".commands");
  if (!commands.hidden) {
    commands.hidden = true;
    return;
  }
  commands.replaceChildren();
  for (const command of view.person.commands) {
    const item = el("button");
    item.type = "button";
    item.append(el("span", "cmd", `/${command.command}`), document.createTextNode(command.description));
    item.addEventListener("click", () => {
      commands.hidden = true;
      sendText(view, `/${command.command}`);
    });
    commands.append(item);
  }
  commands.hidden = false;
}

// What is typed goes to the chat on screen: the bot, or the person it is with.
async function sendText(view, text, replyTo = null) {
  const body = { text };
  if (view.current !== BOT) body.to = view.current;
  else if (replyTo) body.reply_to = replyTo.id;
  stopReply(view);
  try {
    await api(`/api/people/${view.person.id}/text`, body);
  } catch (error) {
    answerPress(view, error.message, true);
  }
}

function setReplyKeyboard(view, keyboard) {
  view.keyboard = keyboard;
  const pane = view.node.querySelector(".reply-keyboard");
  pane.replaceChildren();
  view.input.placeholder = (keyboard && keyboard.placeholder) || "Message";
  pane.hidden = !keyboard || view.current !== BOT;
  if (!keyboard) return;
  for (const row of keyboard.rows) {
    const line = el("div", "row");
    for (const text of row) {
      const key = el("button", "", text);
      key.type = "button";
      key.addEventListener("click", () => {
        if (keyboard.one_time) pane.hidden = true;
        sendText(view, text);
      });
      line.append(key);
    }
    pane.append(line);
  }
}

function isInline(text) {
  return text.toLowerCase().startsWith(`@${app.bot.username.toLowerCase()} `);
}

function hideInline(view) {
  clearTimeout(view.inlineTimer);
  view.node.querySelector(".inline-results").hidden = true;
}

async function inlineSearch(view) {
  const text = view.input.value;
  if (!isInline(text)) return;
  const query = text.slice(app.bot.username.length + 2);
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
  if (!answer.results.length) pane.append(el("div", "empty", "No results"));
  for (const result of answer.results) pane.append(inlineResult(view, result));
  pane.hidden = false;
}

// Choosing a result sends it "via @bot" to the chat the query was typed in.
function inlineResult(view, result) {
  const item = el("button", "result");
  item.type = "button";
  item.append(el("div", "title", result.title), el("div", "muted", result.description));
  item.addEventListener("click", async () => {
    const body = { result_id: result.id };
    if (view.current !== BOT) body.to = view.current;
    view.input.value = "";
    hideInline(view);
    try {
      await api(`/api/people/${view.person.id}/inline/choose`, body);
    } catch (error) {
      answerPress(view, error.message, true);
    }
  });
  return item;
}

// -- top bar -----------------------------------------------------------------------------

function wireTopBar() {
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", () => skipAhead(button.dataset.step));
  }
  wireReset();
  document.getElementById("menu-toggle").addEventListener("click", (event) => {
    const open = document.getElementById("menu").classList.toggle("open");
    event.currentTarget.setAttribute("aria-expanded", String(open));
  });
  document.getElementById("add-person").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = event.target.elements.name;
    const language = event.target.elements.language.value;
    try {
      await api("/api/people", { name: input.value, language });
      input.value = "";
    } catch (error) {
      // already in the log
    }
  });
  wireLog();
}

async function skipAhead(step) {
  const all = document.querySelectorAll("[data-step]");
  all.forEach((b) => (b.disabled = true));
  try {
    const result = await api("/api/clock", { step });
    setClock(result);
    logLine("info", "clock", `+1 ${step}: now ${result.now.slice(0, 16).replace("T", " ")} UTC`);
  } catch (error) {
    // already in the log
  } finally {
    all.forEach((b) => (b.disabled = false));
  }
}

function wireReset() {
  const dialog = document.getElementById("reset-dialog");
  document.getElementById("reset").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "reset") return;
    try {
      await api("/api/reset");
    } catch (error) {
      // already in the log
    }
  });
}

function wireLog() {
  const pane = document.getElementById("log-pane");
  const toggle = document.getElementById("log-toggle");
  const fold = (folded) => {
    pane.classList.toggle("collapsed", folded);
    toggle.setAttribute("aria-expanded", String(!folded));
  };
  fold(window.matchMedia("(max-width: 700px)").matches); // a phone keeps the chat in view
  toggle.addEventListener("click", () => fold(!pane.classList.contains("collapsed")));
  document.getElementById("clear-log").addEventListener("click", () => {
    document.getElementById("log").replaceChildren();
  });
}

wireTopBar();
wireGuide();
connect();
setInterval(showClock, 30000);
