"""The Nu HTML checker over the pages the browser journeys visited.

The page fixtures of tests/e2e/conftest.py save each page's HTML once it has loaded into
test-artifacts/html/ (one file per distinct document, `pages.json` maps each file to the addresses it
was seen at). After the browser journeys, `make test` runs `python -m tests.e2e.html_check`, which
runs `vnu.jar` (npm `vnu-jar`, needs Java) over that folder and fails with every error listed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = ROOT / "test-artifacts" / "html"
INDEX = HTML_DIR / "pages.json"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def save_page_html(html: str, url: str, *, folder: Path = HTML_DIR) -> Path:
    """Store one page's HTML under its content hash and note the address it came from."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()[:20]
    path = folder / f"{digest}.html"
    if not path.exists():
        path.write_text(html, encoding="utf-8")
    index_path = folder / INDEX.name
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    urls = index.setdefault(path.name, [])
    if url not in urls:
        urls.append(url)
        index_path.write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf-8")
    return path


def validate(folder: Path = HTML_DIR) -> list[str]:
    """Run the Nu checker over every saved page; return one readable line per error."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java is missing: install a Java runtime (Debian: default-jre-headless)")
    if not VNU_JAR.exists():
        raise RuntimeError(f"{VNU_JAR} is missing: run `npm ci` (package.json lists vnu-jar)")
    files = sorted(folder.glob("*.html"))
    if not files:
        raise RuntimeError(f"no pages were saved in {folder}: run the browser journeys first")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    # vnu writes its JSON report to standard error; exit status 1 means "errors found".
    report = json.loads(result.stderr or '{"messages": []}')
    index_path = folder / INDEX.name
    index = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else {}
    errors = []
    for message in report.get("messages", []):
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        name = Path(message.get("url", "").removeprefix("file:")).name
        where = ", ".join(index.get(name, [])) or name
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())
        errors.append(f"{where} (line {line} of {name}): {message.get('message')} [{extract}]")
    if result.returncode not in (0, 1) and not errors:
        raise RuntimeError(f"vnu.jar failed ({result.returncode}): {result.stderr[-2000:]}")
    return errors


def main() -> int:
    try:
        errors = validate()
    except RuntimeError as problem:
        print(f"HTML check failed: {problem}", file=sys.stderr)
        return 2
    pages = len(list(HTML_DIR.glob("*.html")))
    if errors:
        print(f"The Nu HTML checker found {len(errors)} error(s) in {pages} page(s):", file=sys.stderr)
        for error in errors:
            print(f"- {error}", file=sys.stderr)
        return 1
    print(f"The Nu HTML checker found no errors in {pages} page(s) the browser journeys visited.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
