#!/usr/bin/env python3
"""check/doc-links: every relative link in the project's Markdown files names a file that
exists, and every #anchor a heading of its target, as GitHub derives heading anchors.

    doc_links.py SOURCE_DIR
"""
import os
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def slug(text):
    """GitHub's anchor for a heading: its text without markup, lower case, punctuation
    dropped (letters, digits, '-', '_' and spaces kept), spaces as '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link: its text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def prose_lines(path):
    """The lines outside fenced code blocks, numbered from 1."""
    fenced = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line


def anchors(path):
    seen, out = {}, set()
    for _, line in prose_lines(path):
        m = HEADING.match(line)
        if m:
            base = slug(m.group(2))
            k = seen.get(base, 0)
            seen[base] = k + 1
            out.add(base if k == 0 else f"{base}-{k}")  # repeated headings: -1, -2 ...
    return out


def markdown_files(root):
    """The source tree's .md files (no build trees, no hidden or downloaded folders)."""
    for top, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules" and
                   not os.path.exists(os.path.join(top, d, "CMakeCache.txt"))]
        for name in names:
            if name.endswith(".md"):
                yield os.path.relpath(os.path.join(top, name), root)


def main():
    root = sys.argv[1]
    files = sorted(markdown_files(root))
    cache, bad = {}, 0
    for rel in files:
        path = os.path.join(root, rel)
        for n, line in prose_lines(path):
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):  # not in code
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, mailto: ...
                    continue
                name, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(path), name)) if name \
                    else path
                if not os.path.exists(dest):
                    print(f"{rel}:{n}: {target}: no such file")
                    bad += 1
                    continue
                if anchor and dest.endswith(".md"):
                    if dest not in cache:
                        cache[dest] = anchors(dest)
                    if anchor not in cache[dest]:
                        print(f"{rel}:{n}: {target}: no heading with that anchor")
                        bad += 1
    if bad:
        print(f"doc_links: {bad} broken link(s); fix the link or the heading it points to")
        return 1
    print(f"doc_links: {len(files)} Markdown files, every relative link resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
