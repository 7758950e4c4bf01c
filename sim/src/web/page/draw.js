/*
 * ampsim web: checking and drawing (the SVG). Nothing from the server is trusted: check()
 * and friends throw a Bad for any value out of its range, and the caller shows that part
 * as "broken" (app.js). Text is only ever set with textContent, never parsed as markup.
 */
"use strict";

class Bad extends Error {}

const Check = {
  int(v, lo, hi, what) {
    if (!Number.isInteger(v) || v < lo || v > hi)
      throw new Bad(`${what}: ${JSON.stringify(v)} is not an integer in ${lo}..${hi}`);
    return v;
  },
  bool(v, what) {
    if (typeof v !== "boolean") throw new Bad(`${what}: not true or false`);
    return v;
  },
  str(v, max, what) {
    if (typeof v !== "string" || v.length > max) throw new Bad(`${what}: not a short string`);
    return v;
  },
  arr(v, max, what) {
    if (!Array.isArray(v) || v.length > max) throw new Bad(`${what}: not a list of at most ${max}`);
    return v;
  },
  obj(v, what) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Bad(`${what}: not an object`);
    return v;
  },
};

const OWNERS = {
  posted: "posted to the firmware, not read yet",
  firmware: "with the firmware (read, not returned)",
  returned: "returned in the used ring, not reaped",
  host: "with Linux (taken back)",
  "host-free": "in Linux's free pool",
  unknown: "unknown (ring invalid)",
};

const SVGNS = "http://www.w3.org/2000/svg";

function el(name, attrs, parent, text) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function polar(cx, cy, r, turn) {
  const a = (turn - 0.25) * 2 * Math.PI; /* 0 at the top, clockwise */
  return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
}

/* An annulus segment from turn a to turn b. */
function segment(cx, cy, r0, r1, a, b) {
  const [x0, y0] = polar(cx, cy, r1, a), [x1, y1] = polar(cx, cy, r1, b);
  const [x2, y2] = polar(cx, cy, r0, b), [x3, y3] = polar(cx, cy, r0, a);
  const large = b - a > 0.5 ? 1 : 0;
  return `M${x0} ${y0}A${r1} ${r1} 0 ${large} 1 ${x1} ${y1}L${x2} ${y2}` +
         `A${r0} ${r0} 0 ${large} 0 ${x3} ${y3}Z`;
}

/* One vring, checked: {num, avail, used, slots: [{id, owner}], msgs}. Throws a Bad. */
function checkRing(v, index) {
  const w = `vring${index}`;
  Check.obj(v, w);
  Check.int(v.index, index, index, `${w}.index`);
  if (!Check.bool(v.valid, `${w}.valid`))
    throw new Bad(`${w}: ${typeof v.error === "string" ? v.error.slice(0, 200) : "invalid"}`);
  const num = Check.int(v.num, 1, 1024, `${w}.num`);
  if (num & (num - 1)) throw new Bad(`${w}.num: ${num} is not a power of two`);
  const r = {
    num,
    avail: Check.int(v.avail_idx, 0, 65535, `${w}.avail_idx`),
    used: Check.int(v.used_idx, 0, 65535, `${w}.used_idx`),
    slots: [],
    window: Check.bool(v.window_valid, `${w}.window_valid`),
  };
  const desc = Check.arr(v.descriptors, num, `${w}.descriptors`);
  const ring = Check.arr(v.avail_ring, num, `${w}.avail_ring`);
  if (desc.length !== num || ring.length !== num) throw new Bad(`${w}: ring size mismatch`);
  const owner = desc.map((d, i) => {
    Check.obj(d, `${w}.descriptors[${i}]`);
    Check.int(d.id, i, i, `${w}.descriptors[${i}].id`);
    const o = Check.str(d.owner, 16, `${w}.descriptors[${i}].owner`);
    if (!(o in OWNERS)) throw new Bad(`${w}.descriptors[${i}].owner: '${o}' is not an owner`);
    return o;
  });
  /* The ring is drawn as its descriptors, by id; the hands are the free-running indices
   * modulo num, which is where they point when buffers go round in order (as here). */
  const at = owner.map(() => []);
  for (let k = 0; k < num; k++) {
    const id = Check.int(ring[k], 0, 65535, `${w}.avail_ring[${k}]`);
    if (id < num) at[id].push(k);
  }
  owner.forEach((o, id) => r.slots.push({ id, owner: o, at: at[id] }));
  return r;
}

/* Draw vring @index (checked as @r, or broken) centred at cx, cy; titles on its left. */
function drawRing(svg, index, r, cx, cy, label, sub) {
  const g = el("g", { id: `ring-vring${index}`, "data-valid": r ? "true" : "false" }, svg);
  const tx = cx - 268;
  el("text", { x: tx, y: cy - 92, class: "ringlabel" }, g, label);
  sub.forEach((t, i) => el("text", { x: tx, y: cy - 72 + i * 17, class: "ringsub" }, g, t));
  if (!r) {
    el("circle", { cx, cy, r: 88, fill: "none", stroke: "#c0392b", "stroke-width": 3,
      "stroke-dasharray": "8 6" }, g);
    el("text", { x: cx, y: cy + 5, "text-anchor": "middle", class: "ringbroken",
      id: `vring${index}-broken` }, g, "broken");
    return;
  }
  g.setAttribute("data-avail", r.avail);
  g.setAttribute("data-used", r.used);
  const R0 = 70, R1 = 105;
  r.slots.forEach((s, k) => {
    const p = el("path", { d: segment(cx, cy, R0, R1, k / r.num, (k + 1) / r.num),
      class: `slot o-${s.owner}`, "data-id": s.id, "data-owner": s.owner }, g);
    el("title", {}, p, `descriptor ${s.id}: ${OWNERS[s.owner]}` +
      (s.at.length ? ` (in avail ring slot ${s.at.join(", ")})` : ""));
    if (r.num <= 64) {
      const [x, y] = polar(cx, cy, (R0 + R1) / 2, (k + 0.5) / r.num);
      el("text", { x, y, class: "slotnum" }, g, String(s.id));
    }
  });
  /* The hands: avail outside the ring (Linux writes it), used inside (the firmware does). */
  hand(g, cx, cy, r.avail % r.num, r.num, "avail", R1 + 2, R1 + 22);
  hand(g, cx, cy, r.used % r.num, r.num, "used", R0 - 2, R0 - 22);
  el("text", { x: cx, y: cy - 4, "text-anchor": "middle", class: "handlabel avail",
    id: `vring${index}-avail` }, g, `avail ${r.avail}`);
  el("text", { x: cx, y: cy + 16, "text-anchor": "middle", class: "handlabel used",
    id: `vring${index}-used` }, g, `used ${r.used}`);
  el("text", { x: tx, y: cy + 72, class: "ringsub" }, g,
    `${(r.avail - r.used) & 0xffff} of ${r.num} buffers`);
  el("text", { x: tx, y: cy + 89, class: "ringsub" }, g, "on the firmware side");
}

/* A hand: a pointer at the middle of the slot the index fills next, tip at radius @tip. */
function hand(g, cx, cy, slot, num, kind, tip, base) {
  const t = (slot + 0.5) / num, w = 0.35 / num;
  const [x0, y0] = polar(cx, cy, tip, t);
  const [x1, y1] = polar(cx, cy, base, t - w), [x2, y2] = polar(cx, cy, base, t + w);
  el("path", { d: `M${x0} ${y0}L${x1} ${y1}L${x2} ${y2}Z`, class: `hand ${kind}` }, g);
}

function cpuBox(svg, x, title, sub, lines) {
  const g = el("g", { class: "cpu" }, svg);
  el("rect", { x, y: 30, width: 200, height: 530, rx: 12 }, g);
  el("text", { x: x + 100, y: 60, "text-anchor": "middle", class: "title" }, g, title);
  el("text", { x: x + 100, y: 84, "text-anchor": "middle", class: "sub" }, g, sub);
  lines.forEach((t, i) =>
    el("text", { x: x + 16, y: 124 + i * 22, class: "sub" }, g, t));
  return g;
}

/* The doorbells: per IPCC channel, a lamp each way; lit when it rang since the last frame. */
function drawLamps(svg, lamps) {
  const g = el("g", { id: "lamps" }, svg);
  el("text", { x: 250, y: 606, class: "ringlabel" }, g, "IPCC doorbells");
  lamps.forEach((c, i) => {
    const x = 450 + i * 130;
    el("text", { x: x + 22, y: 585, "text-anchor": "middle", class: "ringsub" }, g,
      `CH${c.ch} ${c.use}`);
    [["to_fw", "→fw", 0], ["to_host", "→Linux", 44]].forEach(([k, t, dx]) => {
      const l = el("g", { class: "lamp" + (c[k].lit ? " lit" : "") + (c[k].held ? " held" : ""),
        id: `lamp-ch${c.ch}-${k}`, "data-count": c[k].count, "data-delivered": c[k].delivered }, g);
      el("circle", { cx: x + dx, cy: 603, r: 10 }, l);
      el("text", { x: x + dx, y: 628, "text-anchor": "middle" }, l, t);
      el("title", {}, l, `CH${c.ch} ${k === "to_fw" ? "Linux → firmware" : "firmware → Linux"}: ${c[k].count} so far${c[k].held ? ", one held (step mode)" : ""}`);
    });
  });
}

function arrowDefs(svg) {
  const d = el("defs", {}, svg);
  const m = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, d);
  el("path", { d: "M0 0L10 5L0 10z", fill: "#9aa5b5" }, m);
}
