"""The pieces of bench/run: building, running each benchmark, and the Markdown it reports."""
