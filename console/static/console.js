// The console's only script: local times, live countdowns, live updates
// over Server-Sent Events and the keyboard. Every page works without it.
"use strict";

const pad = (n) => String(n).padStart(2, "0");

// Times are sent in UTC; each person reads them in their own zone.
function localTimes(root) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    const d = new Date(el.getAttribute("datetime"));
    if (isNaN(d)) continue;
    const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
      .formatToParts(d).find((p) => p.type === "timeZoneName");
    el.textContent = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}` +
      (zone ? " " + zone.value : "");
    el.title = el.getAttribute("datetime");
  }
}

function span(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(s % 60)}s`;
  return ms < 0 ? "−" + text : text;
}

// A clock counts down to data-due; past data-warn it is warned, past due
// breached.
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll(".clock[data-due]")) {
    const due = Date.parse(el.dataset.due), warn = el.dataset.warn ? Date.parse(el.dataset.warn) : Infinity;
    el.textContent = span(due - now);
    const state = now >= due ? "breached" : now >= warn ? "warned" : "on_track";
    el.classList.remove("on_track", "warned", "breached");
    el.classList.add(state);
  }
}

// refresh fetches the page again and swaps every [data-live] region, so
// forms being filled in are left alone.
let refreshing = null;
async function refresh() {
  const res = await fetch(location.href, { headers: { "X-Console-Refresh": "1" }, credentials: "same-origin" });
  if (res.redirected || res.status === 401) { location.reload(); return; }
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), "text/html");
  const focused = document.activeElement && document.activeElement.dataset.id;
  for (const el of document.querySelectorAll("[data-live][id]")) {
    const fresh = doc.getElementById(el.id);
    if (fresh) el.replaceWith(fresh);
  }
  localTimes(document);
  tick();
  if (focused) {
    const again = document.querySelector(`[data-id="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  document.dispatchEvent(new CustomEvent("console:refreshed"));
}
function soon() {
  if (refreshing) return;
  refreshing = setTimeout(() => { refreshing = null; refresh(); }, 250);
}

// Each event names a changed complaint: a complaint's page refreshes for
// its own, a list for any.
function listen() {
  const url = document.body.dataset.events;
  if (!url || !window.EventSource) return;
  const page = document.querySelector("[data-complaint-id]");
  const mine = page && page.dataset.complaintId;
  const source = new EventSource(url);
  source.addEventListener("complaint", (e) => {
    if (!mine || !e.data || e.data === mine) soon(); // "" means catch up after a lost connection
  });
  source.addEventListener("signed-out", () => { source.close(); location.reload(); });
}

// j/k move through a queue, Enter opens; on a complaint a acknowledges and
// r starts a reply.
function keys(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.closest && t.closest("input, textarea, select, [contenteditable]")) return;
  const rows = [...document.querySelectorAll("tr[data-href]")];
  const at = rows.indexOf(document.activeElement);
  if ((e.key === "j" || e.key === "k") && rows.length) {
    const next = e.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
    rows[at < 0 ? 0 : next].focus();
    e.preventDefault();
  } else if (e.key === "Enter" && at >= 0) {
    location.href = rows[at].dataset.href;
  } else if (e.key === "a") {
    const ack = document.getElementById("acknowledge-form");
    if (ack) { ack.requestSubmit(); e.preventDefault(); }
  } else if (e.key === "r") {
    const reply = document.getElementById("reply-message");
    if (reply) { reply.closest("details").open = true; reply.focus(); e.preventDefault(); }
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);
  tick();
  setInterval(tick, 1000);
  listen();
  document.addEventListener("keydown", keys);
  document.addEventListener("click", (e) => {
    const row = e.target.closest && e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a, button, input")) location.href = row.dataset.href;
  });
  for (const sel of document.querySelectorAll("[data-submit-on-change]")) {
    sel.addEventListener("change", () => sel.form.requestSubmit());
  }
});
