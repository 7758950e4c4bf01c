// ampsim's event trace (docs/trace.md) in a real trace viewer: the Performance panel of the
// DevTools that Debian's chromium ships (its chrome://tracing is gone; ui.perfetto.dev needs
// the network). It boots the echo sample, traces one echo with `ampsim ctl RUNDIR
// trace-events start|stop`, loads the file into the panel and checks that the viewer read
// what ampsim wrote: the `receive`s, `send`s and `irq handled` slices one echo makes, and a
// message's arguments. The screenshot, with the firmware's `receive` selected, goes to
// OUT/trace-devtools.png (docs/img/ takes it through scripts/gen-trace-screenshot).
//   node trace_viewer.mjs --ampsim BIN --firmware ECHO --out DIR [--chromium /usr/bin/chromium]
// The panel draws on a canvas: the tracks are opened by clicking where a fresh profile puts
// their headers, and events are found with the panel's own search (Ctrl+F), whose "N of M"
// and the selected event's summary are text.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium, arg, check, until, SAFETY_MS, EP } from "./common.mjs";

const AMPSIM = arg("--ampsim"), FW = arg("--firmware"), OUT = arg("--out");
const CHROMIUM = arg("--chromium", "/usr/bin/chromium");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ampsim-trace-viewer-"));
fs.mkdirSync(OUT, { recursive: true });

const ampsim = (...a) => execFileSync(AMPSIM, a, { encoding: "utf8", timeout: SAFETY_MS });

// One echo, traced: the file holds exactly its events.
async function traceOneEcho() {
  const run = path.join(tmp, "run"), file = path.join(tmp, "echo.json");
  const log = fs.openSync(path.join(tmp, "run.log"), "w");
  const p = spawn(AMPSIM, ["run", "--quiet", "-d", run, FW], { stdio: ["ignore", log, log] });
  try {
    await until("the echo channel", () => fs.existsSync(path.join(run, "rpmsg0")));
    ampsim("ctl", run, "trace-events", "start", file);
    check(ampsim("chat", path.join(run, "rpmsg0"), "hello").includes("hello"), "the echo");
    ampsim("ctl", run, "trace-events", "stop");
  } finally {
    p.kill("SIGTERM");
    await until("ampsim run to end", () => p.exitCode !== null || p.signalCode !== null);
  }
  return file;
}

// The panel's search: type NAME, press Enter `next` times; "i of n" and the summary after.
async function find(page, name, next = 0) {
  await page.keyboard.press("Control+f");
  const box = page.locator('input[placeholder="Find"], input[aria-label="Find"]').first();
  await box.fill(name);
  for (let i = 0; i < next; i++) await box.press("Enter");
  const count = await until(`matches for ${name}`, async () => {
    const t = await page.getByText(/^\d+ of \d+$/).first().innerText().catch(() => "");
    return /^\d+ of \d+$/.test(t) && t;
  });
  return count;
}

async function view(file) {
  const profile = fs.mkdtempSync(path.join(tmp, "profile-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ["--no-sandbox"], viewport: { width: 1400, height: 800 },
  });
  try {
    const page = await ctx.newPage();
    await page.goto("devtools://devtools/bundled/trace_app.html");
    // Standalone, the panel says its debugging connection is closed: dismiss that.
    await page.waitForTimeout(1500);
    await page.keyboard.press("Escape");
    await page.getByText("Performance", { exact: true }).first().click({ force: true });
    await page.locator("input[type=file]").first().setInputFiles(file);
    await until("the trace loaded", async () =>
      (await page.getByText("Summary", { exact: true }).count()) > 0);
    await page.waitForTimeout(1500);
    await page.mouse.click(1371, 77); // the shortcuts card a first load opens
    await page.getByLabel("Hide sidebar").first().click({ force: true }).catch(() => {});
    await page.waitForTimeout(500);
    // Both processes, then their tracks, bottom up so that the rows above stay put.
    for (const [x, y] of [[60, 150], [60, 129], [50, 268], [50, 247], [50, 226],
                          [50, 188], [50, 167], [50, 146]]) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(300);
    }
    await page.mouse.click(700, 520);
    const counts = {};
    for (const name of ["send", "irq handled"]) {
      counts[name] = await find(page, name);
      await page.keyboard.press("Escape");
    }
    // Last, so that it stays selected for the picture: the firmware's receive is the first.
    counts.receive = await find(page, "receive");
    console.log("trace_viewer: matches", JSON.stringify(counts));
    // Two of each; but the panel's window begins at the first slice, the host's send, and its
    // search leaves out an event on the window's very edge.
    const want = { send: / of 1$/, receive: / of 2$/, "irq handled": / of 2$/ };
    for (const [name, re] of Object.entries(want))
      check(re.test(counts[name]), `"${name}": ${re} in the viewer, not ${counts[name]}`);
    await until("the receive's arguments", async () =>
      (await page.getByText(`"${EP}"`).count()) > 0);
    const shot = path.join(OUT, "trace-devtools.png");
    await page.screenshot({ path: shot });
    console.log("trace_viewer: " + shot);
  } finally {
    await ctx.close();
  }
}

try {
  await view(await traceOneEcho());
  fs.rmSync(tmp, { recursive: true, force: true });
} catch (e) {
  console.error("trace_viewer: " + e.message + "\n(files kept in " + tmp + ")");
  process.exit(1);
}
