"""The walkthrough's text: the steps' events, the inspector's excerpts, and the prose."""

import re

import walk_prose

SIDE = {1: "Linux", 2: "fw"}
TRACK = {1: "processor", 2: "vring0", 3: "vring1"}
# Within a step each process's events are in its own order; the processes are listed in
# the order the step's doorbells reach them, so that two runs print the same lines (events
# of the two processes in one step can interleave differently on a busy machine). None:
# time order, for a step whose events form one causal chain.
ORDER = {"boot": [1, 2], "boot released": [2, 1], "posted": [1, 2], "firmware": [2, 1],
         "back": [1, 2], "end": None}
TITLES = {"boot": "0 boot", "boot released": "0 boot doorbells released",
          "posted": "1 posted, kicked", "firmware": "2 interrupt, consumed, returned",
          "back": "3 the answer's way back", "end": "the run stops"}
ARGS = ["queue", "index", "id", "len", "src", "dst", "channel", "addr", "op", "endpoint",
        "detail"]


def split_steps(events, marks):
    """[(title, events)]: the events between one step's action and the next's."""
    steps = []
    for i, (title, start) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else float("inf")
        mine = [e for e in events if start <= e["ts"] < end]
        if ORDER.get(title, [1, 2]) is None:  # each event caused by the one before
            steps.append((title, mine))
            continue
        ordered = []
        for pid in ORDER.get(title, [1, 2]):
            ordered += [e for e in mine if e["pid"] == pid]
        ordered += [e for e in mine if e["pid"] not in ORDER.get(title, [1, 2])]
        steps.append((title, ordered))
    return steps


def event_line(e, norm):
    args = e.get("args", {})
    parts = []
    for k in ARGS:
        if k in args:
            v = args[k]
            parts.append(f'{k} "{norm(v)}"' if isinstance(v, str) and k in ("detail", "endpoint")
                         else f"{k} {v}")
    flow = ""
    if e.get("flow_out"):
        flow = f"  -> flow {e['bind_id']}"
    elif e.get("flow_in"):
        flow = f"  <- flow {e['bind_id']}"
    side = SIDE.get(e["pid"], str(e["pid"]))
    track = TRACK.get(e.get("tid"), str(e.get("tid")))
    return f"{side:<6}{track:<10} {e['name']:<15} {' '.join(parts)}{flow}".rstrip()


def events_block(steps, title, norm):
    for t, evs in steps:
        if t == title:
            return "\n".join(event_line(e, norm) for e in evs) or "(no event)"
    return "(no event)"


def fold_owners(lines):
    """Keep the descriptor table's first 3 rows; fold the rest into one count per owner."""
    out, rest, first_rest = [], {}, None
    for line in lines:
        m = re.match(r"\s+(\d+)\s+0x[0-9a-f]+\s+\d+\s+0x[0-9a-f]+\s+\d+\s+(.*)$", line)
        if not m or int(m.group(1)) < 3:
            if rest:
                out.append(fold_line(first_rest, last, rest))
                rest = {}
            out.append(line)
            continue
        if not rest:
            first_rest = int(m.group(1))
        last = int(m.group(1))
        owner = re.sub(r"\s+", " ", m.group(2)).strip()
        rest[owner] = rest.get(owner, 0) + 1
    if rest:
        out.append(fold_line(first_rest, last, rest))
    return out


def fold_line(first, last, rest):
    what = ", ".join(f"{n} {o}" for o, n in rest.items())
    return f"  [gen-walkthrough: ids {first}..{last} folded: {what}]"


def excerpt(text, keep_ipcc_all=False):
    """The inspector's text, cut to what a step changes (elisions are marked [...])."""
    lines = text.rstrip("\n").split("\n")
    out, skip = [], False
    for line in lines:
        if line.startswith("counters") or line.startswith("last messages per endpoint"):
            skip = True
        elif re.match(r"^(vring\d|IPCC|vdev|SoC|ampsim inspect)", line):
            skip = False
        if skip:
            continue
        if (not keep_ipcc_all and re.match(r"\s+CH[3-6] ", line)):
            continue
        out.append(line)
    return "\n".join(fold_owners(out))


def grep(text, pattern):
    return "\n".join(line for line in text.split("\n") if re.search(pattern, line))


def render(shots, steps):
    norm = shots["norm"]
    ctx = {
        "boot_held": shots["boot_held"].rstrip(),
        "boot_step": shots["boot_step"].rstrip(),
        "boot_inspect": excerpt(shots["boot_inspect"], keep_ipcc_all=True),
        "boot_events": events_block(steps, "boot", norm),
        "boot_released_events": events_block(steps, "boot released", norm),
        "posted_held": shots["posted_held"].rstrip(),
        "posted_inspect": excerpt(shots["posted_inspect"]),
        "posted_events": events_block(steps, "posted", norm),
        "fw_step": shots["fw_step"].rstrip(),
        "fw_held": shots["fw_held"].rstrip(),
        "fw_inspect": excerpt(shots["fw_inspect"]),
        "fw_events": events_block(steps, "firmware", norm),
        "back_step": shots["back_step"].rstrip(),
        "chat": shots["chat"].rstrip(),
        "back_inspect": excerpt(shots["back_inspect"]),
        "back_events": events_block(steps, "back", norm),
        "end_events": events_block(steps, "end", norm),
        "stats": grep(shots["stats"], r"^\s*(rpmsg:|vring\d|step mode)"),
    }
    return walk_prose.TEXT.format(**ctx)
