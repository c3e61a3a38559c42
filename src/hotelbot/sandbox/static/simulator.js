// Guest simulator: posts guest actions to /sandbox/api/messages and polls the conversation.
"use strict";

const SUGGESTIONS = {
  en: ["Hi!", "Do you have a room for 2 adults next weekend?", "What time is check-in?", "Is breakfast included?", "I'd like to speak to a person"],
  es: ["¡Hola!", "¿Tenéis habitación para 2 adultos el próximo fin de semana?", "¿A qué hora es el check-in?", "¿El desayuno está incluido?", "Quiero hablar con una persona"],
  de: ["Hallo!", "Habt ihr ein Zimmer für 2 Erwachsene nächstes Wochenende?", "Ab wann ist der Check-in?", "Ist das Frühstück inklusive?", "Ich möchte mit einem Menschen sprechen"],
  fr: ["Bonjour !", "Avez-vous une chambre pour 2 adultes le week-end prochain ?", "À quelle heure est le check-in ?", "Le petit-déjeuner est-il inclus ?", "Je voudrais parler à quelqu'un"],
  it: ["Ciao!", "Avete una camera per 2 adulti il prossimo weekend?", "A che ora è il check-in?", "La colazione è inclusa?", "Vorrei parlare con una persona"],
  pt: ["Olá!", "Têm quarto para 2 adultos no próximo fim de semana?", "A que horas é o check-in?", "O pequeno-almoço está incluído?", "Quero falar com uma pessoa"],
};

const $ = (id) => document.getElementById(id);
const phoneNumberId = document.querySelector(".phone").dataset.phoneNumberId;
let lastRendered = "";
let answered = new Set();

function guest() {
  return { from: $("guest-number").value.replace(/\D/g, ""), name: $("guest-name").value || "Guest" };
}

async function post(extra) {
  const body = { ...guest(), phone_number_id: phoneNumberId, ...extra };
  const response = await fetch("/sandbox/api/messages", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const result = await response.json().catch(() => ({}));
  if (!response.ok || result.webhook_status === null || result.webhook_status >= 300) {
    showSystem(response.ok ? `The bot's webhook answered ${result.webhook_status ?? "nothing (is it running?)"}` : `Refused: ${JSON.stringify(result.detail ?? result)}`);
  }
  await refresh();
}

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
  if (status === "read") return '<span class="ticks read">✓✓</span>';
  if (status === "delivered") return '<span class="ticks">✓✓</span>';
  if (status === "sent") return '<span class="ticks">✓</span>';
  return "";
}

function bubble(event) {
  const node = el("div", `msg ${event.direction}`);
  const p = event.payload;
  const type = event.type;
  if (event.direction === "in") {
    if (type === "text") node.append(p.text.body);
    else if (type === "interactive") node.append((p.interactive.button_reply || p.interactive.list_reply).title);
    else if (type === "location") node.append(`📍 ${p.location.latitude}, ${p.location.longitude}`);
    else node.append(`[${type}]`);
  } else if (type === "text") {
    node.append(p.text.body);
  } else if (type === "interactive") {
    const i = p.interactive;
    if (i.header && i.header.text) node.append(el("div", "header", i.header.text));
    node.append(i.body.text);
    if (i.footer) node.append(el("div", "footer", i.footer.text));
  } else if (type === "template") {
    node.append(`[template ${p.template.name}] ` + ((p.template.components || [])[0]?.parameters || []).map((x) => x.text).join(" · "));
  } else if (type === "location") {
    node.append(`📍 ${p.location.name || ""} ${p.location.address || ""}\n${p.location.latitude}, ${p.location.longitude}`);
  } else if (type === "reaction") {
    node.className = "msg out reaction";
    node.textContent = p.reaction.emoji;
    return node;
  } else {
    const media = p[type] || {};
    node.append(`[${type}] ${media.caption || media.filename || media.link || ""}`);
  }
  const meta = el("span", "meta");
  meta.innerHTML = `${time(event.at)} ${event.direction === "out" ? "" : ticks(event.status)}`;
  node.append(meta);
  return node;
}

function choices(event) {
  const i = event.payload.interactive;
  if (event.direction !== "out" || !i) return null;
  const box = el("div", "choices");
  if (i.type === "button") {
    for (const b of i.action.buttons) {
      const button = el("button", "", b.reply.title);
      button.disabled = answered.has(event.wamid);
      button.onclick = () => { answered.add(event.wamid); post({ button_id: b.reply.id, title: b.reply.title, context_wamid: event.wamid }); };
      box.append(button);
    }
  } else if (i.type === "list") {
    const button = el("button", "", `☰ ${i.action.button}`);
    button.onclick = () => openList(event);
    box.append(button);
  }
  return box;
}

function openList(event) {
  const action = event.payload.interactive.action;
  $("list-title").textContent = action.button;
  const rows = $("list-rows");
  rows.replaceChildren();
  for (const section of action.sections) {
    if (section.title) rows.append(el("div", "section-title", section.title));
    for (const row of section.rows) {
      const button = el("button", "row", row.title);
      button.value = "cancel";
      if (row.description) button.append(el("small", "", row.description));
      button.onclick = () => post({ row_id: row.id, title: row.title, description: row.description, context_wamid: event.wamid });
      rows.append(button);
    }
  }
  $("list-dialog").showModal();
}

function showSystem(text) {
  $("chat").append(el("div", "msg system", text));
  $("chat").scrollTop = $("chat").scrollHeight;
}

async function refresh() {
  const { from } = guest();
  if (!from) return;
  const response = await fetch(`/sandbox/api/conversations/${from}`);
  if (!response.ok) return;
  const conversation = await response.json();
  const key = JSON.stringify([conversation.messages.map((m) => [m.seq, m.status]), conversation.typing]);
  if (key === lastRendered) return;
  lastRendered = key;
  const chat = $("chat");
  chat.replaceChildren();
  for (const event of conversation.messages) {
    chat.append(bubble(event));
    const extra = choices(event);
    if (extra) chat.append(extra);
  }
  if (conversation.typing) chat.append(el("div", "typing", "typing…"));
  chat.scrollTop = chat.scrollHeight;
}

function renderSuggestions() {
  const box = $("suggestions");
  box.replaceChildren();
  for (const text of SUGGESTIONS[$("guest-lang").value]) {
    const button = el("button", "", text);
    button.type = "button";
    button.onclick = () => post({ text });
    box.append(button);
  }
}

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("message").value.trim();
  if (!text) return;
  $("message").value = "";
  post({ text });
});
$("share-location").addEventListener("click", () => post({ latitude: 38.7223, longitude: -9.1393, location_name: "Praça do Comércio" }));
$("guest-lang").addEventListener("change", renderSuggestions);
$("guest-number").addEventListener("change", () => { lastRendered = ""; answered = new Set(); refresh(); });

renderSuggestions();
refresh();
setInterval(refresh, 1000);
