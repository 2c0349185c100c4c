"""Writes the report between two markers of README.md, leaving everything else as it is."""

BEGIN = "<!-- bench/run --readme: begin (generated, do not edit) -->"
END = "<!-- bench/run --readme: end -->"


def replace_section(path, lines):
    with open(path, encoding="utf-8") as readme:
        text = readme.read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"bench/run: {path} has no '{BEGIN}' ... '{END}' markers")
    body = "\n".join(lines)
    text = text[:start + len(BEGIN)] + "\n\n" + body + "\n\n" + text[end:]
    with open(path, "w", encoding="utf-8") as readme:
        readme.write(text)
