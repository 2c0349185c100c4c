"""Markdown tables and number formatting."""


def table(header, rows):
    """A Markdown table; the first column left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def ratio(value):
    return f"{value:.3f}×"


def count(value):
    return f"{value:,.0f}"


def nanoseconds(value):
    return f"{value:,.1f} ns" if value < 100 else f"{value:,.0f} ns"
