// What the browser tests share: playwright-core (or a message saying how to get it), the
// command line, the checks and the bounded waits.
//   import { chromium, arg, check, until, SAFETY_MS, EP } from "./common.mjs";
export const { chromium } = await import("playwright-core").catch(() => {
  console.error("playwright-core is not installed: run 'npm ci' in tests/browser " +
    "(scripts/install-deps does)");
  process.exit(1);
});

// Every wait is for a condition; this only bounds it (a safety net, never a pace).
export const SAFETY_MS = Number(process.env.WEB_E2E_SAFETY_MS || 60000);

// The echo sample's channel.
export const EP = "rpmsg-openamp-demo-channel";

// `--name value` from the command line; without a default, a missing one is an error.
export const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  if (i < 0 && dflt === undefined) throw new Error(`missing ${name}`);
  return i < 0 ? dflt : process.argv[i + 1];
};

export function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

// Poll @fn until it returns something true (which is returned), within SAFETY_MS; on a
// timeout the error says what @seen (if given) returns then.
export async function until(what, fn, seen) {
  const end = Date.now() + SAFETY_MS;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end)
      throw new Error("waited too long for " + what + (seen ? "; seen: " + (await seen()) : ""));
    await new Promise((r) => setTimeout(r, 25));
  }
}
