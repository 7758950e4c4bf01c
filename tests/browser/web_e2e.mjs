// ampsim web in a real browser (issue 18; docs/teaching.md): Debian's chromium, driven by
// playwright-core, watches `ampsim run` with the echo sample through `ampsim web`.
//   node web_e2e.mjs --ampsim BIN --firmware ECHO --out DIR [--chromium /usr/bin/chromium]
// It checks that the page shows what `ampsim inspect --json` reads (indices, owners), the
// endpoints' message counts, pause/resume, that in step mode one click delivers exactly one
// doorbell, a fault injected from the page, and "broken" for a scribbled shared object.
// Screenshots go to DIR/web-*.png (CI artifacts; scripts/gen-teaching copies them to docs/).
// Every wait is for a condition, bounded by a generous safety timeout.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium, arg, check, until, EP } from "./common.mjs";

const AMPSIM = arg("--ampsim"), FW = arg("--firmware"), OUT = arg("--out");
const CHROMIUM = arg("--chromium", "/usr/bin/chromium");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ampsim-web-"));
const children = [];
fs.mkdirSync(OUT, { recursive: true });
for (const f of fs.readdirSync(OUT)) if (/^web-.*\.png$/.test(f)) fs.rmSync(path.join(OUT, f));

function start(args, name) {
  const log = fs.openSync(path.join(tmp, name + ".log"), "w");
  const p = spawn(AMPSIM, args, { stdio: ["ignore", "pipe", log] });
  p.out = "";
  p.stdout.on("data", (d) => { p.out += d; });
  children.push(p);
  return p;
}

async function startRun(name, extra) {
  const dir = path.join(tmp, name);
  start(["run", "--quiet", "-d", dir, ...extra, FW], name);
  await until(`${dir}/control`, () => fs.existsSync(path.join(dir, "control")));
  return dir;
}

async function startWeb(dir) {
  const w = start(["web", dir, "--listen", "127.0.0.1:0"], path.basename(dir) + "-web");
  const m = await until("ampsim web's address", () => /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(w.out));
  return m[1];
}

const ctl = (dir, ...a) => execFileSync(AMPSIM, ["ctl", dir, ...a], { encoding: "utf8" });
const inspect = (dir) => JSON.parse(execFileSync(AMPSIM, ["inspect", "--json", dir], { encoding: "utf8" }));

// What the page draws, read from its DOM.
async function pageRing(page, i) {
  return page.evaluate((i) => {
    const g = document.getElementById(`ring-vring${i}`);
    if (!g || g.dataset.valid !== "true") return null;
    const owners = [];
    for (const s of g.querySelectorAll("path.slot")) owners[Number(s.dataset.id)] = s.dataset.owner;
    return { avail: Number(g.dataset.avail), used: Number(g.dataset.used), owners,
      availText: document.getElementById(`vring${i}-avail`).textContent,
      usedText: document.getElementById(`vring${i}-used`).textContent };
  }, i);
}

async function endpointCounts(page) {
  return page.evaluate((ep) => {
    const tr = document.querySelector(`#endpoints tr[data-name="${ep}"]`);
    return tr ? { in: tr.querySelector(".in").textContent, out: tr.querySelector(".out").textContent } : null;
  }, EP);
}

// Doorbells delivered so far (the kicks the host rang, the interrupts its bus handled).
async function delivered(page) {
  return page.evaluate(() => {
    let n = 0;
    for (const l of document.querySelectorAll("#lamps .lamp")) n += Number(l.dataset.delivered);
    return n;
  });
}

const text = (page, id) => page.evaluate((id) => document.getElementById(id).textContent, id);
const shot = (page, name) => page.screenshot({ path: path.join(OUT, `web-${name}.png`), fullPage: true });

// The page agrees with `ampsim inspect --json` on both rings (at rest, once it caught up).
async function matchesInspect(page, dir) {
  let differs = "";
  await until("the page to show what ampsim inspect reads", async () => {
    const snap = inspect(dir);
    for (const i of [0, 1]) {
      const v = snap.vrings[i], p = await pageRing(page, i);
      const want = { avail: v.avail_idx, used: v.used_idx, owners: v.descriptors.map((d) => d.owner),
        availText: `avail ${v.avail_idx}`, usedText: `used ${v.used_idx}` };
      if (JSON.stringify(p) !== JSON.stringify(want)) {
        differs = `vring${i}: page ${JSON.stringify(p)}, inspect ${JSON.stringify(want)}`;
        return false;
      }
    }
    return true;
  }).catch((e) => { throw new Error(e.message + ": " + differs); });
}

async function echoAndCounts(page, dir) {
  await until("lifecycle running", async () => (await text(page, "lifecycle")) === "running");
  await until("the endpoint row", async () => (await endpointCounts(page)) !== null);
  await matchesInspect(page, dir);
  const before = await pageRing(page, 1);
  execFileSync(AMPSIM, ["chat", path.join(dir, "rpmsg0"), "one", "two", "three"]);
  await until("3 messages each way", async () => {
    const c = await endpointCounts(page);
    return c && c.in === "3" && c.out === "3";
  });
  await until("vring1's avail hand 3 further", async () =>
    (await pageRing(page, 1)).avail === ((before.avail + 3) & 0xffff));
  await matchesInspect(page, dir);
  const v1 = await pageRing(page, 1);
  check(v1.owners.filter((o) => o === "returned").length === 3,
    "vring1: the 3 echoed TX buffers are returned, not yet reaped (the host reaps lazily)");
  await shot(page, "echo");
}

async function pauseAndResume(page, dir) {
  await page.click("#pause-btn");
  await until("doorbells held", async () => (await text(page, "delivery")).includes("held"));
  const chat = start(["chat", "-t", "60000", path.join(dir, "rpmsg0"), "held"], "chat-held");
  await until("the message's doorbell held", async () => (await text(page, "held-list")).includes("CH2 Linux→firmware"));
  const c = await endpointCounts(page);
  check(c.in === "3", "no answer while the doorbell is held");
  await shot(page, "paused");
  await page.click("#pause-btn"); // now "Resume doorbells"
  await until("doorbells pass", async () => (await text(page, "delivery")) === "doorbells pass");
  await until("the answer", async () => (await endpointCounts(page)).in === "4");
  await until("chat to finish", () => chat.exitCode !== null);
  check(chat.exitCode === 0, "chat got its answer after resume");
}

async function stepRun(browser) {
  const dir = await startRun("step", ["--step"]);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(await startWeb(dir));
  await until("step mode shown", async () => (await text(page, "delivery")).includes("held"));
  let clicks = 0, shotTaken = false;
  // Boot, then one message, a doorbell per click: posted, kicked, interrupt, returned.
  for (let phase = 0; phase < 2; phase++) {
    let chat = null;
    if (phase === 1) chat = start(["chat", "-t", "60000", path.join(dir, "rpmsg0"), "step"], "chat-step");
    const done = phase === 0
      ? async () => (await endpointCounts(page)) !== null && (await text(page, "held-count")) === "0"
      : async () => chat.exitCode !== null && (await text(page, "held-count")) === "0";
    while (!(await done())) {
      check(++clicks < 64, "fewer than 64 doorbells for a boot and an echo");
      await until("a held doorbell, or the end", async () =>
        (await text(page, "held-count")) !== "0" || (await done()));
      if (await done()) break;
      const n0 = await delivered(page), held0 = await text(page, "held-list");
      await page.click("#step-btn");
      await until("the step's answer", async () => /(^|\n)released 1;/.test(await text(page, "reply")),
        async () => `reply "${await text(page, "reply")}" after a click on ${held0}`);
      await until("the page to show the delivery", async () => (await delivered(page)) > n0);
      check((await delivered(page)) === n0 + 1, `one click delivered one doorbell (of ${held0})`);
      if (phase === 1 && !shotTaken) { await shot(page, "step"); shotTaken = true; }
      await page.evaluate(() => { document.getElementById("reply").textContent = ""; });
    }
    if (chat) check(chat.exitCode === 0, "the stepped message was echoed");
  }
  await page.close();
}

async function faultFromThePage(page) {
  await page.selectOption("#fault-preset", "fw crash at-msg=1");
  await page.click("#fault-btn");
  await until("the rule added", async () => (await text(page, "reply")) === "added");
  const chat = start(["chat", "-t", "3000", path.join(page.dir, "rpmsg0"), "boom"], "chat-crash");
  await until("a crash counted", async () => (await text(page, "crashes")) === "1 crash");
  await until("recovered", async () => (await text(page, "lifecycle")) === "running");
  await until("chat to end", () => chat.exitCode !== null);
  await until("the trace from before the crash", async () =>
    (await text(page, "trace")).includes("before the last crash"));
  await shot(page, "crash");
  await page.click("#fault-clear");
  await until("plan cleared", async () => (await text(page, "reply")) === "fault plan cleared");
}

// A scribbled header: the page says "broken" and keeps drawing the rest.
async function scribbled(page, dir) {
  const shm = fs.readlinkSync(path.join(dir, "shm"));
  const fd = fs.openSync(shm, "r+");
  fs.writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, 0);
  fs.closeSync(fd);
  await until("broken shown, for the header", async () => (await page.isVisible("#broken")) &&
    (await text(page, "broken-why")).includes("header"));
  
  check((await page.locator("#ring-vring0").getAttribute("data-valid")) === "false", "vring0 not drawn as valid");
  check((await endpointCounts(page)) !== null, "the endpoints still drawn");
  await shot(page, "broken");
}

// Frames no server of ours sends: each part that does not check out is "broken", nothing
// the frame holds becomes markup, and no exception escapes (pageerror is watched).
async function hostileFrames(page) {
  const ring = (index, num, avail, desc) => ({ index, valid: true, num, avail_idx: avail,
    used_idx: 0, window_valid: true, descriptors: desc, avail_ring: desc.map(() => 0) });
  const got = await page.evaluate((frames) => frames.map((f) => {
    render(f); // eslint-disable-line no-undef
    return { broken: !document.getElementById("broken").hidden,
      pwn: document.getElementById("pwn") !== null,
      why: document.getElementById("broken-why").textContent };
  }), [null, "junk", 42, [], { version: 2 },
    { version: 1, dir: "d", alive: true, status: { state: "<b id=pwn>x</b>", crashes: "-1" },
      step: { holding: "yes", held: [] }, doorbells: [{ ch: 99 }], endpoints: [{ name: {} }],
      trace: [7], snapshot: { header_valid: true, vrings: [
        ring(0, 3, 1, [{ id: 0, owner: "posted" }, { id: 1, owner: "posted" }, { id: 2, owner: "x" }]),
        ring(1, 4, 70000, [{ id: 0, owner: "posted" }])] } },
    { version: 1, dir: "d", alive: true, status: { state: "running", crashes: "0" },
      step: { holding: false, held: [] }, doorbells: [], endpoints: [], trace: [],
      snapshot: { header_valid: true, vrings: [ring(0, 1, 0, [{ id: 0, owner: "<img id=pwn>" }]),
        ring(1, 2, 0, [{ id: 1, owner: "posted" }, { id: 1, owner: "posted" }])] } }]);
  got.forEach((g, i) => {
    check(g.broken, `hostile frame ${i} shown as broken (${g.why})`);
    check(!g.pwn, `hostile frame ${i} made no markup`);
  });
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu"] });
  const errors = [];
  try {
    const dir = await startRun("echo", []);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.dir = dir;
    await page.goto(await startWeb(dir));
    await echoAndCounts(page, dir);
    console.log("ok: indices, owners and counts as ampsim inspect reads them");
    await pauseAndResume(page, dir);
    console.log("ok: pause and resume");
    await faultFromThePage(page);
    console.log("ok: a fault injected from the page");
    await stepRun(browser);
    console.log("ok: step mode, one doorbell per click");
    await scribbled(page, dir);
    console.log("ok: a scribbled shared object shows as broken");
    await hostileFrames(page);
    console.log("ok: hostile frames show as broken, never as markup or an exception");
    check(errors.length === 0, "no script error in the page: " + errors.join("; "));
  } catch (e) {
    for (const [i, p] of browser.contexts().flatMap((c) => c.pages()).entries())
      await p.screenshot({ path: path.join(OUT, `web-failure-${i}.png`) }).catch(() => {});
    for (const f of fs.readdirSync(tmp))
      if (f.endsWith(".log")) console.error(`--- ${f}\n` + fs.readFileSync(path.join(tmp, f), "utf8"));
    throw e;
  } finally {
    await browser.close();
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exitCode !== null ? null
      : new Promise((r) => c.on("exit", r))));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(() => console.log("web_e2e: all passed"), (e) => {
  console.error("web_e2e: FAILED:", e.stack || e.message);
  process.exit(1);
});
