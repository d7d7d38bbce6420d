#!/usr/bin/python3
"""Sets the sample policies (samples/policies/*.md) as multi-column PDFs with groff, the way policy handbooks are
often printed: justified two-column text with hyphenation on, a full-width title, numbered section headings.

Writes <out>/<name>-2col.pdf, <name>-3col.pdf (three narrow columns) and <name>-1col.pdf (control), all US Letter, and
<name>.reference.txt: the words of the policy in reading order, for compare.sh. Needs Debian's groff (not groff-base):
    python3 bench/pdf-extraction/make-policy-pdfs.py samples/policies /tmp/policy-pdfs
"""
import pathlib
import re
import subprocess
import sys


def inline(text):
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"\[(.+?)\]\(.+?\)", r"\1", text)
    text = text.replace("`", "").replace("\\", "\\e")
    # A line starting with a dot or apostrophe would be a groff request.
    return re.sub(r"^([.'])", r"\\&\1", text)


def blocks(markdown):
    """(kind, text) pairs: title, heading, item, para; wrapped lines joined."""
    out, current = [], None
    for line in markdown.splitlines():
        if not line.strip():
            current = None
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(("title" if level == 1 else "heading", line.lstrip("#").strip()))
            current = None
        elif line.lstrip().startswith("- "):
            current = ["item", line.lstrip()[2:].strip()]
            out.append(current)
        elif line.lstrip().startswith("|"):
            continue  # tables are left out: neither tool has a notion of them
        elif current is not None and line.startswith(" "):
            current[1] += " " + line.strip()
        elif current is not None and current[0] == "para":
            current[1] += " " + line.strip()
        else:
            current = ["para", line.strip()]
            out.append(current)
    return [(k, inline(t)) for k, t in out]


def ms(parsed, columns):
    lines = [".nr PS 9", ".nr VS 11", ".nr HM 0.8i", ".nr FM 0.8i", ".hy 1", ".nr LL 6.5i", ".ll 6.5i"]
    title = next((t for k, t in parsed if k == "title"), "Policy")
    lines += [".TL", title]
    lines += [".MC %.2fi 0.3i" % ((6.5 - 0.3 * (columns - 1)) / columns)] if columns > 1 else []
    for kind, text in parsed:
        if kind == "title":
            continue
        if kind == "heading":
            lines += [".SH", text]
        elif kind == "item":
            lines += [".IP \\(bu 2", text]
        else:
            lines += [".PP", text]
    return "\n".join(lines) + "\n"


def main(source, target):
    target = pathlib.Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for md in sorted(pathlib.Path(source).glob("*.md")):
        if md.name.lower() == "readme.md":
            continue
        parsed = blocks(md.read_text(encoding="utf-8"))
        words = " ".join(t.replace("\\e", "\\").replace("\\&", "") for _, t in parsed)
        (target / (md.stem + ".reference.txt")).write_text(words + "\n", encoding="utf-8")
        for columns in (1, 2, 3):
            source_ms = ms(parsed, columns)
            pdf = subprocess.run(["groff", "-k", "-ms", "-Tpdf", "-dpaper=letter", "-P-pletter"],
                                 input=source_ms.encode("utf-8"), capture_output=True, check=True).stdout
            (target / f"{md.stem}-{columns}col.pdf").write_bytes(pdf)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
