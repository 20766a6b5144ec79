"""The documentation a clone holds is enough: code cites docs/ of this repository, never the shared
contracts outside it, and every `docs/<file>.md#anchor` cited points at a heading that exists.

Anchors are GitHub's heading slugs, so a link that works here works when the file is read on the
forge. docs/api.md's endpoint index is held in step with the URL configuration."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Trees that must not send a reader outside the repository (docs/ and the README included).
SELF_CONTAINED = ("intake", "clinic", "bench", "docs")
OUTSIDE_REFERENCES = re.compile(r"CLINICAL_REFERENCE|\.\./shared/|/work/shared/")
# Where citations of docs/ are looked for.
CITING = ("intake", "clinic", "bench", "tests", "docs")
CITATION = re.compile(r"docs/([\w-]+)\.md(?:#([\w-]+))?")
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".js", ".css", ".toml", ".cfg", ".sh", ".json"}


def _text_files(*trees: str) -> list[Path]:
    files = []
    for tree in trees:
        for path in sorted((ROOT / tree).rglob("*")):
            if path.is_file() and path.suffix in TEXT_SUFFIXES and "vendor" not in path.parts:
                files.append(path)
    return files


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text as rendered (code spans and links reduced to
    their text), lower case, punctuation dropped, spaces made hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every heading anchor of a Markdown text, repeated headings numbered as GitHub does."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = None if in_fence else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = github_slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def test_github_slug_matches_the_forge():
    assert github_slug("COWS") == "cows"
    assert github_slug("DSM-5 opioid use disorder") == "dsm-5-opioid-use-disorder"
    assert github_slug("OUD diagnosis and ICD-10-CM") == "oud-diagnosis-and-icd-10-cm"
    assert github_slug("`buprenorphine-induction-cows`") == "buprenorphine-induction-cows"
    assert github_slug("42 CFR Part 2") == "42-cfr-part-2"
    assert github_slug("Who may sign a plan?") == "who-may-sign-a-plan"
    assert heading_anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_no_file_points_outside_the_repository():
    offenders = []
    for path in [*_text_files(*SELF_CONTAINED), ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_REFERENCES.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "cite docs/clinical-rules.md or docs/api.md instead:\n" + "\n".join(
        offenders
    )


def test_every_cited_doc_and_anchor_exists():
    anchors: dict[str, set[str]] = {}
    broken = []
    for path in [*_text_files(*CITING), ROOT / "README.md"]:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in CITATION.finditer(line):
                name, anchor = match.groups()
                doc = DOCS / f"{name}.md"
                where = f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
                if not doc.exists():
                    broken.append(f"{where} (no such file)")
                    continue
                if anchor is None:
                    continue
                if name not in anchors:
                    anchors[name] = heading_anchors(doc.read_text(encoding="utf-8"))
                if anchor not in anchors[name]:
                    broken.append(f"{where} (no such heading)")
    assert broken == [], "\n".join(broken)


def test_links_inside_the_docs_reach_a_heading():
    broken = []
    for doc in sorted(DOCS.glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        anchors = heading_anchors(text)
        for anchor in re.findall(r"\]\(#([^)\s]+)\)", text):
            if anchor not in anchors:
                broken.append(f"{doc.name}: #{anchor}")
    assert broken == [], "\n".join(broken)


def _api_routes() -> dict[str, set[str]]:
    """{path with {id}/{code} placeholders: HTTP methods} of the JSON API's URL configuration."""
    from intake.api.urls import urlpatterns

    routes: dict[str, set[str]] = {}
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern) and not isinstance(pattern, URLResolver)
        route = re.sub(r"<uuid:\w+>", "{id}", str(pattern.pattern))
        route = re.sub(r"<slug:(\w+)>", r"{\1}", route)
        view = pattern.callback.cls
        methods = {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
        routes[f"/api/v1/{route}"] = methods
    return routes


def test_api_endpoint_index_matches_the_url_configuration():
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    index = text.split("## Endpoint index", 1)[1]
    documented = {
        path: {m.strip() for m in methods.split(",")}
        for path, methods in re.findall(r"^\| `(/api/v1/[^`]*)` \| ([A-Z, ]+) \|$", index, re.M)
    }
    assert documented == _api_routes()
