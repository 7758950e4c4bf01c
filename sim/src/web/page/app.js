/*
 * ampsim web: the page's logic. One frame of state arrives per change over server-sent
 * events (/events); each part of the page is drawn from it inside its own try, so a part
 * that does not check out (a scribbled shared object, a bad value) shows as "broken" and
 * the rest still draws. Controls POST to /api/* with the X-Ampsim header the server wants.
 */
"use strict";

const $ = (id) => document.getElementById(id);
let last = null;        /* the previous frame's doorbell counts, to light the lamps */
let lampTimer = 0;
const problems = [];

function broken(where, e) {
  if (!(e instanceof Bad)) console.error(e);
  problems.push(`${where}: ${e instanceof Bad ? e.message : "unreadable (" + e.name + ")"}`);
}

function badge(id, text, cls) {
  const b = $(id);
  b.textContent = text;
  b.className = "badge " + (cls || "");
}

function drawHeader(f) {
  $("rundir").textContent = Check.str(f.dir, 4096, "dir");
  if (!Check.bool(f.alive, "alive")) {
    badge("lifecycle", "no run answers", "bad");
    return;
  }
  const st = Check.obj(f.status, "status");
  const state = Check.str(st.state, 40, "status.state");
  badge("lifecycle", state, state === "running" ? "ok" : state === "crashed" ? "bad" : "warn");
  const n = Number.parseInt(Check.str(st.crashes, 12, "status.crashes"), 10);
  if (!Number.isInteger(n) || n < 0) throw new Bad("status.crashes: not a count");
  badge("crashes", `${n} crash${n === 1 ? "" : "es"}`, n ? "bad" : "");
  $("crashes").title = typeof st.last_crash === "string" ? "last crash: " + st.last_crash : "";
}

function drawStep(f) {
  const s = Check.obj(f.step, "step");
  const holding = Check.bool(s.holding, "step.holding");
  const held = Check.arr(s.held, 64, "step.held").map((h, i) => ({
    ch: Check.int(h.ch, 1, 6, `step.held[${i}].ch`),
    toFw: Check.bool(h.to_fw, `step.held[${i}].to_fw`),
  }));
  badge("delivery", holding ? "doorbells held (step)" : "doorbells pass", holding ? "warn" : "ok");
  $("held-count").textContent = String(held.length);
  $("held-list").textContent = held.map((h) =>
    `CH${h.ch} ${h.toFw ? "Linux→firmware" : "firmware→Linux"}`).join(", ");
  $("step-btn").disabled = !holding || held.length === 0;
  $("pause-btn").textContent = holding ? "Resume doorbells" : "Pause doorbells";
  $("pause-btn").dataset.action = holding ? "resume" : "pause";
  return held;
}

/* The lamps: counts from the host's own counters, lit when they moved or a flag is set. */
function lampState(f, snap, held) {
  const bells = Check.arr(f.doorbells, 6, "doorbells");
  const flags = {};
  try {
    for (const c of Check.arr(snap.ipcc.channels, 6, "ipcc.channels"))
      flags[Check.int(c.ch, 1, 6, "ipcc ch")] = { use: c.use === null ? "" : Check.str(c.use, 16, "ipcc use"),
        to_fw: c.linux_to_fw_flag === true, to_host: c.fw_to_linux_flag === true };
  } catch (e) { broken("IPCC registers", e); }
  const lamps = bells.map((b, i) => {
    const ch = Check.int(b.ch, 1, 6, `doorbells[${i}].ch`);
    const one = (k) => {
      const count = Check.int(b[k], 0, Number.MAX_SAFE_INTEGER, `doorbells[${i}].${k}`);
      const before = last && last[ch] ? last[ch][k] : count;
      const delivered = k === "to_fw" ? count : Check.int(b.to_host_delivered, 0,
        Number.MAX_SAFE_INTEGER, `doorbells[${i}].to_host_delivered`);
      return { count, delivered, lit: count !== before || !!(flags[ch] && flags[ch][k]),
        held: held.some((h) => h.ch === ch && h.toFw === (k === "to_fw")) };
    };
    return { ch, use: flags[ch] ? flags[ch].use : "", to_fw: one("to_fw"), to_host: one("to_host") };
  });
  last = {};
  for (const l of lamps) last[l.ch] = { to_fw: l.to_fw.count, to_host: l.to_host.count };
  return lamps.filter((l) => l.ch <= 3);
}

function drawStage(f, held) {
  const svg = $("stage");
  svg.replaceChildren();
  arrowDefs(svg);
  const snap = f.snapshot;
  let snapOk = snap !== null;
  if (snap === null) {
    problems.push("no snapshot: " + Check.str(f.snapshot_error || "?", 400, "snapshot_error"));
  } else if (!Check.bool(Check.obj(snap, "snapshot").header_valid, "header_valid")) {
    broken("shared memory", new Bad("the shared object's header: " +
      String(snap.header_error).slice(0, 200)));
    snapOk = false; /* nothing in it can be placed: both rings are drawn as broken */
  }
  cpuBox(svg, 20, "Linux", "Cortex-A7: ampsim run", ["its RPMsg bus driver", "sends on vring1,",
    "receives on vring0,", "rings the firmware", "through the IPCC"]);
  cpuBox(svg, 780, "Firmware", "Cortex-M4: a process", ["its RPMsg core", "receives on vring1,",
    "sends on vring0,", "rings Linux", "through the IPCC"]);
  const rings = [null, null];
  for (const i of [0, 1]) {
    try {
      if (!snapOk) throw new Bad("no valid snapshot");
      rings[i] = checkRing(Check.arr(snap.vrings, 2, "vrings")[i], i);
    } catch (e) { if (snapOk) broken(`vring${i}`, e); }
  }
  el("path", { d: "M220 165 L 365 165", class: "flow" }, svg);
  el("path", { d: "M635 165 L 780 165", class: "flow" }, svg);
  el("path", { d: "M780 425 L 635 425", class: "flow" }, svg);
  el("path", { d: "M365 425 L 220 425", class: "flow" }, svg);
  drawRing(svg, 1, rings[1], 500, 165, "vring1", ["Linux → firmware", "(Linux's TX buffers)"]);
  drawRing(svg, 0, rings[0], 500, 425, "vring0", ["firmware → Linux", "(Linux's RX buffers)"]);
  if (snapOk) drawLamps(svg, lampState(f, snap, held));
}

function drawEndpoints(f) {
  const body = $("endpoints").tBodies[0];
  const rows = Check.arr(f.endpoints, 64, "endpoints").map((e, i) => {
    const w = `endpoints[${i}]`;
    Check.obj(e, w);
    const tr = document.createElement("tr");
    const name = Check.str(e.name, 240, `${w}.name`);
    tr.dataset.name = name;
    const cell = (text, cls) => {
      const td = document.createElement("td");
      td.textContent = text;
      td.className = cls;
      tr.appendChild(td);
    };
    const count = (v, k) => v === null ? "–" : String(Check.int(v, 0, Number.MAX_SAFE_INTEGER, `${w}.${k}`));
    cell(name, "name");
    cell("0x" + Check.int(e.fw_addr, 0, 0xffffffff, `${w}.fw_addr`).toString(16), "num");
    cell("0x" + Check.int(e.host_addr, 0, 0xffffffff, `${w}.host_addr`).toString(16), "num");
    cell(count(e.in, "in"), "num in");
    cell(count(e.out, "out"), "num out");
    return tr;
  });
  body.replaceChildren(...rows);
}

function drawTrace(f) {
  const lines = Check.arr(f.trace, 200, "trace").map((l, i) => Check.str(l, 400, `trace[${i}]`));
  const pre = $("trace");
  const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = lines.length ? lines.join("\n") : "(empty)";
  if (atEnd) pre.scrollTop = pre.scrollHeight;
}

function render(f) {
  problems.length = 0;
  let held = [];
  try { Check.obj(f, "frame"); Check.int(f.version, 1, 1, "version"); }
  catch (e) { broken("frame", e); f = {}; }
  try { drawHeader(f); } catch (e) { broken("status", e); }
  try { held = drawStep(f); } catch (e) { broken("step", e); }
  try { drawStage(f, held); } catch (e) { broken("shared memory", e); }
  try { drawEndpoints(f); } catch (e) { broken("endpoints", e); }
  try { drawTrace(f); } catch (e) { broken("trace", e); }
  const bad = problems.filter((p) => !p.startsWith("no snapshot"));
  $("broken").hidden = bad.length === 0;
  $("broken-why").hidden = problems.length === 0;
  $("broken-why").textContent = problems.join("\n");
  document.body.dataset.frames = String(Number(document.body.dataset.frames || 0) + 1);
  clearTimeout(lampTimer); /* let a lit lamp fade unless the next frame lights it again */
  lampTimer = setTimeout(() => document.querySelectorAll(".lamp.lit")
    .forEach((l) => l.classList.remove("lit")), 900);
}

function connect() {
  const es = new EventSource("events");
  es.onopen = () => badge("conn", "live", "ok");
  es.onerror = () => badge("conn", "reconnecting", "off");
  es.onmessage = (ev) => {
    let f;
    try { f = JSON.parse(ev.data); } catch (e) { f = null; }
    render(f);
  };
}

async function control(what, body) {
  const r = $("reply");
  r.className = "reply";
  r.textContent = "…";
  try {
    const res = await fetch("api/" + what, { method: "POST", body: body || "",
      headers: { "X-Ampsim": "1", "Content-Type": "text/plain" } });
    const j = await res.json();
    r.textContent = typeof j.reply === "string" ? j.reply : "?";
    if (!j.ok) r.className = "reply err";
  } catch (e) {
    r.textContent = "no answer from ampsim web";
    r.className = "reply err";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const legend = $("legend");
  for (const [o, t] of Object.entries(OWNERS)) {
    const li = document.createElement("li");
    const i = document.createElement("i");
    i.className = "slot";
    i.style.background = `var(--${o})`;
    li.append(i, t);
    legend.appendChild(li);
  }
  $("step-btn").addEventListener("click", () => control("step", "1"));
  $("pause-btn").addEventListener("click", (e) => control(e.target.dataset.action || "pause"));
  $("fault-clear").addEventListener("click", () => control("fault-clear"));
  $("fault-form").addEventListener("submit", (e) => {
    e.preventDefault();
    control("fault", $("fault-rule").value.trim() || $("fault-preset").value);
  });
  $("fault-preset").addEventListener("change", (e) => { $("fault-rule").value = e.target.value; });
  $("fault-rule").value = $("fault-preset").value;
  connect();
});
