// Guest simulator: posts guest actions to /sandbox/api/messages and polls the conversation.
// Everything shown comes from GET /sandbox/api/conversations/{wa_id}, so a reload (or a second
// tab) shows the same chat; the only local state is what is still on its way to the bot.
"use strict";

const SUGGESTIONS = {
  en: ["Hi!", "Do you have a room for 2 adults next weekend?", "What time is breakfast?", "I want to cancel my booking", "Can you order me a taxi to the airport tomorrow at 10?", "I'd like to speak to a person"],
  es: ["¡Hola!", "¿Tenéis habitación para 2 adultos el próximo fin de semana?", "¿A qué hora es el desayuno?", "Quiero cancelar mi reserva", "¿Me pedís un taxi al aeropuerto mañana a las 10?", "Quiero hablar con una persona"],
  de: ["Hallo!", "Habt ihr ein Zimmer für 2 Erwachsene nächstes Wochenende?", "Wann gibt es Frühstück?", "Ich möchte meine Buchung stornieren", "Können Sie mir morgen um 10 ein Taxi zum Flughafen bestellen?", "Ich möchte mit einem Menschen sprechen"],
  fr: ["Bonjour !", "Avez-vous une chambre pour 2 adultes le week-end prochain ?", "À quelle heure est le petit-déjeuner ?", "Je veux annuler ma réservation", "Pouvez-vous me commander un taxi pour l'aéroport demain à 10h ?", "Je voudrais parler à quelqu'un"],
  it: ["Ciao!", "Avete una camera per 2 adulti il prossimo weekend?", "A che ora è la colazione?", "Voglio cancellare la mia prenotazione", "Potete chiamarmi un taxi per l'aeroporto domani alle 10?", "Vorrei parlare con una persona"],
  pt: ["Olá!", "Têm quarto para 2 adultos no próximo fim de semana?", "A que horas é o pequeno-almoço?", "Quero cancelar a minha reserva", "Podem pedir-me um táxi para o aeroporto amanhã às 10?", "Quero falar com uma pessoa"],
};
const POLL_MS = 1000;
const NEAR_BOTTOM_PX = 80;
const STORAGE_KEY = "hotelbot.simulator.guest";

const $ = (id) => document.getElementById(id);
const phoneNumberId = document.querySelector(".phone").dataset.phoneNumberId;
const displayNumber = $("chat-subtitle").textContent;

const view = {
  events: [], // the conversation as the sandbox knows it
  typing: false,
  pending: [], // guest messages posted but not yet answered by the sandbox: {id, text}
  tapped: new Set(), // wamids of bot messages whose button was tapped (until the tap shows up)
  notes: [], // system notes: {afterSeq, text}
  key: "",
  offline: false,
};
let nextPendingId = 1;

// ---- guest identity (kept across reloads) ----------------------------------------------------

function guest() {
  return { from: $("guest-number").value.replace(/\D/g, ""), name: $("guest-name").value.trim() || "Guest" };
}

function saveGuest() {
  const saved = { name: $("guest-name").value, number: $("guest-number").value, lang: $("guest-lang").value };
  try { localStorage.setItem(STORAGE_KEY, JSON.stringify(saved)); } catch { /* private mode */ }
}

function loadGuest() {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null"); } catch { /* ignore */ }
  if (!saved) return;
  if (saved.name) $("guest-name").value = saved.name;
  if (saved.number) $("guest-number").value = saved.number;
  if (saved.lang && SUGGESTIONS[saved.lang]) $("guest-lang").value = saved.lang;
}

// ---- talking to the sandbox ------------------------------------------------------------------

async function post(extra, preview) {
  const who = guest();
  if (!/^[1-9]\d{5,14}$/.test(who.from)) {
    note("Set a WhatsApp number first: 6 to 15 digits, country code first, no +.");
    return;
  }
  const pending = { id: nextPendingId++, text: preview };
  view.pending.push(pending);
  render(true);
  try {
    const response = await fetch("/sandbox/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...who, phone_number_id: phoneNumberId, ...extra }),
    });
    const result = await response.json().catch(() => ({}));
    if (!response.ok) note(`Refused (${response.status}): ${detail(result)}`);
    else if (result.webhook_status === null || result.webhook_status >= 300) {
      note(`The bot's webhook answered ${result.webhook_status ?? "nothing (is it running?)"}; the sandbox will try again.`);
    }
  } catch {
    note("Could not reach the sandbox: is hotelbot running?");
  } finally {
    view.pending = view.pending.filter((p) => p !== pending);
  }
  await refresh(true);
}

async function postVoice(blob, filename) {
  // A voice note goes as a file: the sandbox keeps it as Meta-held media and tells the bot its id.
  const who = guest();
  if (!/^[1-9]\d{5,14}$/.test(who.from)) {
    note("Set a WhatsApp number first: 6 to 15 digits, country code first, no +.");
    return;
  }
  const pending = { id: nextPendingId++, text: "🎤 voice note" };
  view.pending.push(pending);
  render(true);
  const form = new FormData();
  form.append("from", who.from);
  form.append("name", who.name);
  form.append("phone_number_id", phoneNumberId);
  form.append("file", blob, filename);
  try {
    const response = await fetch("/sandbox/api/voice", { method: "POST", body: form });
    const result = await response.json().catch(() => ({}));
    if (!response.ok) note(`Refused (${response.status}): ${detail(result)}`);
  } catch {
    note("Could not reach the sandbox: is hotelbot running?");
  } finally {
    view.pending = view.pending.filter((p) => p !== pending);
  }
  await refresh(true);
}

let recorder = null;

async function toggleRecording() {
  if (recorder) { recorder.stop(); return; }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    note("The browser gave no microphone (allow it, or send an audio file instead).");
    return;
  }
  const type = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus"].find((t) => MediaRecorder.isTypeSupported(t));
  recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const chunks = [];
  recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
  recorder.addEventListener("stop", () => {
    stream.getTracks().forEach((t) => t.stop());
    const mime = recorder.mimeType || "audio/webm";
    recorder = null;
    $("record").setAttribute("aria-pressed", "false");
    $("record").textContent = "🎙️ Record a voice note";
    postVoice(new Blob(chunks, { type: mime }), mime.includes("ogg") ? "voice.ogg" : "voice.webm");
  });
  recorder.start();
  $("record").setAttribute("aria-pressed", "true");
  $("record").textContent = "⏹ Stop and send";
}

function player(mediaId) {
  const audio = el("audio", "voice");
  audio.controls = true;
  audio.preload = "none";
  audio.src = `/sandbox/api/media/${encodeURIComponent(mediaId)}`;
  return audio;
}

function detail(result) {
  const d = result.detail ?? result;
  if (Array.isArray(d)) return d.map((e) => e.msg).join("; ");
  return typeof d === "string" ? d : JSON.stringify(d);
}

let refreshing = null;
let refreshAgain = false;

async function refresh(scroll = false) {
  // One request at a time: a tap during a poll asks for one more round, not a parallel one.
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await fetchConversation(scroll);
    } while (refreshAgain);
  })();
  try { await refreshing; } finally { refreshing = null; }
}

async function fetchConversation(scroll) {
  const { from } = guest();
  if (!from) return;
  let conversation;
  try {
    const response = await fetch(`/sandbox/api/conversations/${encodeURIComponent(from)}`);
    if (!response.ok) throw new Error(String(response.status));
    conversation = await response.json();
    view.offline = false;
  } catch {
    view.offline = true;
    renderHeader();
    return;
  }
  if (conversation.wa_id !== guest().from) return; // the number changed meanwhile
  view.events = conversation.messages;
  view.typing = conversation.typing;
  for (const wamid of answeredWamids()) view.tapped.delete(wamid);
  render(scroll);
}

// ---- rendering -------------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function ticks(status) {
  const mark = { read: "✓✓", delivered: "✓✓", sent: "✓", failed: "!", pending: "🕓" }[status];
  if (!mark) return null;
  const node = el("span", `ticks ${status}`, mark);
  node.title = status;
  return node;
}

function meta(at, status) {
  const node = el("span", "meta", at ? time(at) : "");
  const tick = status ? ticks(status) : null;
  if (tick) node.append(" ", tick);
  return node;
}

function guestText(p, type) {
  if (type === "text") return p.text.body;
  if (type === "interactive") {
    const reply = p.interactive.button_reply || p.interactive.list_reply || {};
    return reply.title || reply.id || "";
  }
  if (type === "location") return `📍 ${p.location.name || `${p.location.latitude}, ${p.location.longitude}`}`;
  return `[${type}]`;
}

function botContent(node, p, type) {
  if (type === "text") {
    node.append(p.text.body);
  } else if (type === "interactive") {
    const i = p.interactive;
    if (i.header && i.header.text) node.append(el("div", "header", i.header.text));
    node.append(i.body.text);
    if (i.footer) node.append(el("div", "footer", i.footer.text));
  } else if (type === "template") {
    const params = ((p.template.components || [])[0]?.parameters || []).map((x) => x.text);
    node.append(`[template ${p.template.name}] ${params.join(" · ")}`);
  } else if (type === "location") {
    const l = p.location;
    node.append(`📍 ${l.name || ""} ${l.address || ""}\n${l.latitude}, ${l.longitude}`);
  } else {
    const media = p[type] || {};
    node.append(`[${type}] ${media.caption || media.filename || media.link || ""}`);
  }
}

function bubble(event) {
  const p = event.payload;
  if (event.direction === "out" && event.type === "reaction") {
    return el("div", "msg out reaction", p.reaction.emoji);
  }
  const node = el("div", `msg ${event.direction}${event.error ? " refused" : ""}`);
  node.dataset.seq = event.seq;
  node.dataset.type = event.type;
  if (event.type === "audio" && p.audio && p.audio.id) {
    // A voice note either way: play it (the bot's replies are Meta-held media in the sandbox).
    node.append(el("div", "voice-label", event.direction === "in" ? "🎤 Voice note" : "🔊 Voice reply"));
    node.append(player(p.audio.id));
  } else if (event.direction === "in") {
    node.append(guestText(p, event.type));
    const reply = p.interactive?.list_reply;
    if (reply?.description) node.append(el("small", "description", reply.description));
  } else {
    botContent(node, p, event.type);
  }
  // A reply WhatsApp refused (the 24-hour rule): greyed, with the reason, and a red "!".
  if (event.error) node.append(el("div", "refusal", `⚠ ${event.error.explanation}`));
  node.append(meta(event.at, event.direction === "in" || event.error ? event.status : null));
  return node;
}

function answeredWamids() {
  const done = new Set();
  for (const e of view.events) {
    if (e.direction === "in" && e.type === "interactive" && e.payload.context) done.add(e.payload.context.id);
  }
  return done;
}

function choices(event, answered) {
  const i = event.payload.interactive;
  if (event.direction !== "out" || !i || event.error) return null; // a refused reply offers nothing
  const box = el("div", "choices");
  if (i.type === "button") {
    const used = answered.has(event.wamid) || view.tapped.has(event.wamid);
    for (const b of i.action.buttons) {
      const button = el("button", "reply", b.reply.title);
      button.type = "button";
      button.dataset.id = b.reply.id;
      button.disabled = used;
      button.onclick = () => {
        view.tapped.add(event.wamid);
        post({ button_id: b.reply.id, title: b.reply.title, context_wamid: event.wamid }, b.reply.title);
      };
      box.append(button);
    }
  } else if (i.type === "list") {
    const button = el("button", "list-open", `☰ ${i.action.button}`);
    button.type = "button";
    button.onclick = () => openList(event);
    box.append(button);
  }
  return box;
}

function render(forceScroll) {
  const chat = $("chat");
  const key = JSON.stringify([
    view.events.map((m) => [m.seq, m.status]), view.typing, view.pending.map((p) => p.id),
    [...view.tapped], view.notes.length,
  ]);
  renderHeader();
  if (key === view.key && !forceScroll) return;
  view.key = key;
  const nearBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < NEAR_BOTTOM_PX;
  const keepTop = chat.scrollTop;
  const answered = answeredWamids();
  const notes = [...view.notes];
  const nodes = [];
  const flushNotes = (seq) => {
    while (notes.length && notes[0].afterSeq <= seq) nodes.push(el("div", "msg system", notes.shift().text));
  };
  if (!view.events.length && !view.pending.length) {
    nodes.push(el("div", "msg system", "Say hello to the hotel, or tap a suggestion on the left."));
  }
  for (const event of view.events) {
    flushNotes(event.seq - 1);
    nodes.push(bubble(event));
    const extra = choices(event, answered);
    if (extra) nodes.push(extra);
  }
  for (const p of view.pending) {
    const node = el("div", "msg in pending", p.text);
    node.append(meta(null, "pending"));
    nodes.push(node);
  }
  flushNotes(Infinity);
  if (view.typing) {
    const typing = el("div", "typing");
    typing.setAttribute("aria-label", "typing");
    typing.append(el("span"), el("span"), el("span"));
    nodes.push(typing);
  }
  chat.replaceChildren(...nodes);
  // Follow the conversation unless the guest scrolled up to read something.
  chat.scrollTop = forceScroll || nearBottom ? chat.scrollHeight : keepTop;
}

function renderHeader() {
  const subtitle = $("chat-subtitle");
  subtitle.classList.toggle("offline", view.offline);
  if (view.offline) subtitle.textContent = "cannot reach the sandbox, retrying…";
  else subtitle.textContent = view.typing ? "typing…" : displayNumber;
}

function note(text) {
  const last = view.events.length ? view.events[view.events.length - 1].seq : 0;
  view.notes.push({ afterSeq: last, text });
  render(true);
}

function openList(event) {
  const dialog = $("list-dialog");
  const interactive = event.payload.interactive;
  $("list-title").textContent = interactive.action.button;
  const rows = $("list-rows");
  rows.replaceChildren();
  for (const section of interactive.action.sections) {
    if (section.title) rows.append(el("div", "section-title", section.title));
    for (const row of section.rows) {
      const button = el("button", "row");
      button.type = "button";
      button.dataset.id = row.id;
      button.append(el("span", "row-title", row.title));
      if (row.description) button.append(el("small", "", row.description));
      button.onclick = () => {
        dialog.close();
        post({ row_id: row.id, title: row.title, description: row.description, context_wamid: event.wamid }, row.title);
      };
      rows.append(button);
    }
  }
  dialog.showModal();
}

function renderSuggestions() {
  const box = $("suggestions");
  box.replaceChildren();
  for (const text of SUGGESTIONS[$("guest-lang").value]) {
    const button = el("button", "", text);
    button.type = "button";
    button.onclick = () => post({ text }, text);
    box.append(button);
  }
}

function switchGuest() {
  saveGuest();
  Object.assign(view, { events: [], typing: false, pending: [], tapped: new Set(), notes: [], key: "" });
  render(true);
  refresh(true);
}

// ---- wiring ----------------------------------------------------------------------------------

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("message").value.trim();
  if (!text) return;
  $("message").value = "";
  post({ text }, text);
});
$("share-location").addEventListener("click", () => {
  const place = { latitude: 38.7223, longitude: -9.1393, location_name: "Praça do Comércio" };
  post(place, `📍 ${place.location_name}`);
});
$("record").addEventListener("click", toggleRecording);
$("voice-file").addEventListener("change", (e) => {
  const file = e.target.files[0];
  e.target.value = "";
  if (file) postVoice(file, file.name);
});
$("guest-lang").addEventListener("change", () => { saveGuest(); renderSuggestions(); });
$("guest-name").addEventListener("change", saveGuest);
$("guest-number").addEventListener("change", switchGuest);
$("list-dialog").addEventListener("click", (e) => {
  if (e.target === $("list-dialog")) $("list-dialog").close(); // a click on the backdrop
});

loadGuest();
renderSuggestions();
render(true);
refresh(true);
setInterval(() => refresh(false), POLL_MS);
