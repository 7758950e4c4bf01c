"""The walkthrough's trace picture: an SVG timeline drawn from the trace file's events.

One lane per processor and per vring, as the trace's tracks are (each process's
`processor`, `vring0`, `vring1`); one column per event, in time order (not to scale: the
steps wait for a person, the work between them takes microseconds); a band per step; the
trace's flows (a message's send joined to its receive by `bind_id`) as arrows. Positions
depend only on the order of events, so two runs draw the same picture.
"""

from xml.sax.saxutils import escape

PROCS = {1: "Linux", 2: "firmware"}
TRACKS = {1: "processor", 2: "vring0", 3: "vring1"}
# Lanes top to bottom: Linux above the firmware, each vring next to its twin.
LANES = [(1, 1), (1, 3), (1, 2), (2, 2), (2, 3), (2, 1)]
COL, LANE_H, LEFT, TOP = 34, 46, 170, 150
COLOURS = {"send": "#1f77b4", "receive": "#2ca02c", "kick": "#d62728",
           "kick coalesced": "#ff9896", "irq raised": "#9467bd", "irq handled": "#c5b0d5"}
STEP_FILL = ["#f4f4f4", "#e8eef7"]


def lane_y(pid, tid):
    return TOP + LANES.index((pid, tid)) * LANE_H + LANE_H // 2


def place(steps):
    """Each event's (x, y), with the step bands' x ranges."""
    pos, bands, col = [], [], 0
    for title, events in steps:
        first = col
        for e in events:
            if (e["pid"], e.get("tid")) in LANES:
                pos.append((e, LEFT + col * COL + COL // 2, lane_y(e["pid"], e["tid"])))
                col += 1
        bands.append((title, LEFT + first * COL, max(col - first, 1) * COL))
        col += 1 if col == first else 0
    return pos, bands, LEFT + col * COL + 20


def lanes_svg(width):
    out = []
    for i, (pid, tid) in enumerate(LANES):
        y = TOP + i * LANE_H
        out.append(f'<line x1="0" y1="{y + LANE_H // 2}" x2="{width}" y2="{y + LANE_H // 2}" '
                   'stroke="#ccc"/>')
        out.append(f'<text x="8" y="{y + LANE_H // 2 + 4}" font-weight="bold">'
                   f'{PROCS[pid]} {TRACKS[tid]}</text>')
    return out


def bands_svg(bands, height):
    out = []
    for i, (title, x, w) in enumerate(bands):
        out.append(f'<rect x="{x}" y="{TOP - 10}" width="{w}" height="{height - TOP + 10}" '
                   f'fill="{STEP_FILL[i % 2]}"/>')
        out.append(f'<text x="{x + 4}" y="{TOP - 16}" font-size="11" '
                   f'transform="rotate(-30 {x + 4} {TOP - 16})">{escape(title)}</text>')
    return out


def events_svg(pos):
    out = []
    for e, x, y in pos:
        colour = COLOURS.get(e["name"], "#555")
        out.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}"/>')
        out.append(f'<text x="{x - 3}" y="{y + 9}" font-size="9" '
                   f'transform="rotate(60 {x - 3} {y + 9})">{escape(e["name"])}</text>')
    return out


def flows_svg(pos):
    """An arrow from each `flow_out` event to the `flow_in` event with its bind_id."""
    out, sends = [], {}
    for e, x, y in pos:
        if e.get("flow_out"):
            sends[e["bind_id"]] = (x, y)
        elif e.get("flow_in") and e.get("bind_id") in sends:
            x0, y0 = sends.pop(e["bind_id"])
            mx, my = (x0 + x) / 2, min(y0, y) - 20
            out.append(f'<path d="M{x0},{y0} Q{mx:.0f},{my} {x},{y}" fill="none" '
                       'stroke="#1f77b4" stroke-width="1.5" marker-end="url(#arrow)"/>')
            out.append(f'<text x="{mx:.0f}" y="{my + 6}" font-size="9" fill="#1f77b4" '
                       f'text-anchor="middle">{escape(e["bind_id"])}</text>')
    return out


def render(steps, titles):
    """steps: [(key, [trace event, ...]), ...] in time order; titles: key -> band label.
    Returns the SVG text."""
    pos, bands, width = place([(titles.get(k, k), evs) for k, evs in steps])
    height = TOP + len(LANES) * LANE_H + 70
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#1f77b4"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        '<text x="8" y="20" font-size="14" font-weight="bold">One echo of "hello" in the '
        'event trace (ampsim run --step --trace), drawn by scripts/gen-walkthrough</text>',
        '<text x="8" y="38" font-size="11">One column per event in time order, not to scale; '
        'blue arrows: the trace\'s flows (send to receive, by bind_id); shaded bands: the '
        'steps of docs/how-a-message-travels.md</text>',
        '<text x="8" y="54" font-size="11">Dots: <tspan fill="#1f77b4">send</tspan>, '
        '<tspan fill="#2ca02c">receive</tspan>, <tspan fill="#d62728">kick</tspan>, '
        '<tspan fill="#ff9896">kick coalesced</tspan>, <tspan fill="#9467bd">irq raised'
        '</tspan>, <tspan fill="#c5b0d5">irq handled</tspan>, grey: ring and lifecycle '
        'events</text>',
    ]
    body = bands_svg(bands, height - 40) + lanes_svg(width) + flows_svg(pos) + events_svg(pos)
    return "\n".join(head + body + ["</svg>", ""])
