"""Measured figures written into the docs: `bench` and `loadtest` each own a marked section of docs/PERFORMANCE.md."""

from pathlib import Path


def replace_section(path: str, name: str, body: str) -> None:
    """Put `body` between the <!-- name:start --> and <!-- name:end --> markers of the Markdown file,
    adding the markers at the end (and the file) the first time."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    document = Path(path)
    text = document.read_text() if document.exists() else "# Performance\n"
    if start not in text:
        text = text.rstrip("\n") + f"\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(f"{before}{start}\n{body.strip()}\n{end}{after}")
