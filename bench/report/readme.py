"""Writes the report between two markers of README.md, leaving everything else as it is."""

BEGIN = "<!-- bench/run --readme: begin (generated, do not edit) -->"
END = "<!-- bench/run --readme: end -->"


def split(lines):
    """The lines before the first '### ' heading, and {heading: the lines up to the next}, in
    order, each without its leading and trailing blank lines."""
    head, sections, current = [], {}, None
    for line in lines:
        if line.startswith("### "):
            current = line
            sections[current] = []
        elif current is None:
            head.append(line)
        else:
            sections[current].append(line)
    return trim(head), {heading: trim(body) for heading, body in sections.items()}


def trim(lines):
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def merge(old_lines, lines):
    """The old report with the '### ' sections of `lines` put in (replacing those of the same
    heading, the new ones at the end), each opening with the description of the run that made
    it (the lines of `lines` before its first section)."""
    head, sections = split(old_lines)
    description, new_sections = split(lines)
    for heading, body in new_sections.items():
        sections[heading] = [*description, "", *body]
    merged = head
    for heading, body in sections.items():
        merged += ["", heading, "", *body]
    return trim(merged)


def replace_section(path, lines, whole=True):
    """Writes `lines` between the markers. Unless `whole` (a run of some parts only), only the
    sections that run measured are replaced, and the rest of the report stays (see merge)."""
    with open(path, encoding="utf-8") as readme:
        text = readme.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"bench/run: {path} has no '{BEGIN}' ... '{END}' markers")
    if not whole:
        lines = merge(text[start + len(BEGIN):end].split("\n"), lines)
    body = "\n".join(lines)
    text = text[:start + len(BEGIN)] + "\n\n" + body + "\n\n" + text[end:]
    with open(path, "w", encoding="utf-8") as readme:
        readme.write(text)
