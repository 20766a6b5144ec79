"""bench/results/latest.md from a run's results, compared with the other scales' files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SMALL, LARGE = 2_000, 100_000
# The brief's targets (measured by the benchmark, not by timed tests).
MAX_QUERIES = 15
MAX_P95_GROWTH = 1.5
MIN_SEARCH_VS_ADMIN = 3.0
MIN_CHART_VS_BARE_RPS = 0.35


def _load(results: Path, n: int) -> dict[str, Any] | None:
    path = results / f"scale-{n}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}{unit}" if value < 100 else f"{value:.0f}{unit}"
    return f"{value}{unit}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.2f}"


def markdown(result: dict[str, Any], results: Path) -> str:
    small, large = _load(results, SMALL), _load(results, LARGE)
    lines = [
        *_header(result),
        *_pages_table(result["pages"], result["baselines"]),
        "",
        f"## {LARGE:,} vs {SMALL:,} patients",
        "",
        *_scales_table(small, large, results),
        "",
        "## Targets",
        "",
        *_targets(result, small, large),
    ]
    return "\n".join(lines) + "\n"


def _header(result: dict[str, Any]) -> list[str]:
    n = result["scale"]["patients"]
    run = result["run"]
    scale = result["scale"]
    rows = scale.get("rows", {})
    return [
        f"# Benchmark: {n:,} patients",
        "",
        f"Run {run['started']} to {run['finished']} on {run['cpus']} CPUs; gunicorn "
        f"{run['gunicorn_workers']} sync workers, DB_CONN_MAX_AGE={run['db_conn_max_age']}; "
        f"each level {run['seconds_per_level']} s or {run['max_requests_per_level']} requests. "
        f"Machine load (1/5/15 min) before {run['loadavg_before']}, after {run['loadavg_after']} "
        "(other people's test suites share these 2 CPUs; treat differences under ~20% as "
        "noise).",
        "",
        f"Data: {rows.get('patient', n):,} patients, {rows.get('labresult', 0):,} lab results, "
        f"{rows.get('assessment', 0):,} assessments, {rows.get('auditevent', 0):,} audit events, "
        f"{rows.get('auth_user', 0):,} staff; database "
        f"{scale.get('database_bytes', 0) / 2**30:.1f} GiB; generated in "
        f"{_fmt(scale.get('generate_seconds'), ' s')} (load {scale.get('loadavg')}). Signed in as "
        f"a physician with {scale.get('physician_caseload')} patients on their care teams "
        f"(the network's median), opening {scale.get('patients_opened')} of them in turn.",
        "",
    ]


def _pages_table(pages: dict[str, Any], base: dict[str, Any]) -> list[str]:
    bare = base.get("bare", {})
    bare_c4_rps = (bare.get("c4") or {}).get("rps")
    bare_c1_p50 = (bare.get("c1") or {}).get("p50_ms")
    lines = [
        "| page | queries | p50 1 client | p95 1 client | p50 4 clients | p95 4 clients | "
        "req/s 4 clients | p50 vs bare (1 client) | req/s vs bare (4 clients) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, data in [*pages.items(), *[(f"baseline: {k}", v) for k, v in base.items()]]:
        c1, c4 = data.get("c1") or {}, data.get("c4") or {}
        lines.append(
            f"| {name} | {_fmt(data.get('queries'))} | {_fmt(c1.get('p50_ms'), ' ms')} | "
            f"{_fmt(c1.get('p95_ms'), ' ms')} | {_fmt(c4.get('p50_ms'), ' ms')} | "
            f"{_fmt(c4.get('p95_ms'), ' ms')} | {_fmt(c4.get('rps'))} | "
            f"{_ratio(c1.get('p50_ms'), bare_c1_p50)} | {_ratio(c4.get('rps'), bare_c4_rps)} |"
        )
    errors = {k: v for k, v in {**pages, **base}.items() if any(
        (v.get(c) or {}).get("errors") for c in ("c1", "c4"))}  # fmt: skip
    if errors:
        lines += ["", "Errors: " + ", ".join(sorted(errors)) + " (see the JSON)."]
    return lines


def _scales_table(
    small: dict[str, Any] | None, large: dict[str, Any] | None, results: Path
) -> list[str]:
    if not (small and large):
        return [
            f"Run both scales to compare (BENCH_PATIENTS={SMALL} make bench, then make bench); "
            f"found: {', '.join(p.name for p in sorted(results.glob('scale-*.json'))) or 'none'}."
        ]
    lines = [
        "| page | queries 2k | queries 100k | p95 1 client 2k | p95 1 client 100k | "
        "ratio | p95 4 clients 2k | p95 4 clients 100k | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in large["pages"]:
        s, g = small["pages"].get(name, {}), large["pages"][name]
        s1, g1 = s.get("c1") or {}, g.get("c1") or {}
        s4, g4 = s.get("c4") or {}, g.get("c4") or {}
        cells = [
            _fmt(s.get("queries")),
            _fmt(g.get("queries")),
            _fmt(s1.get("p95_ms"), " ms"),
            _fmt(g1.get("p95_ms"), " ms"),
            _ratio(g1.get("p95_ms"), s1.get("p95_ms")),
            _fmt(s4.get("p95_ms"), " ms"),
            _fmt(g4.get("p95_ms"), " ms"),
            _ratio(g4.get("p95_ms"), s4.get("p95_ms")),
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def over_budget(pages: dict[str, Any]) -> list[str]:
    """Pages whose median request runs more than MAX_QUERIES queries."""
    return [name for name, page in pages.items() if (page.get("queries") or 0) > MAX_QUERIES]


def _seen(page: dict[str, Any]) -> list[int]:
    return [q for level in ("c1", "c4") for q in (page.get(level) or {}).get("queries_seen", [])]


def _targets(
    result: dict[str, Any], small: dict[str, Any] | None, large: dict[str, Any] | None
) -> list[str]:
    out = []
    pages, base = result["pages"], result["baselines"]
    worst = max((p.get("queries") or 0) for p in pages.values())
    over = over_budget(pages)
    out.append(
        f"- Queries per request at most {MAX_QUERIES} (the median request of each page): worst "
        f"{worst} ({'met' if not over else 'NOT met for ' + ', '.join(over)})."
    )
    spikes = [
        n for n, p in pages.items() if n not in over and max(_seen(p), default=0) > MAX_QUERIES
    ]
    if spikes:
        out.append(
            f"  Some requests of {', '.join(spikes)} ran more than {MAX_QUERIES} (queries_seen in"
            " the JSON)."
        )
    if small and large:
        same = [
            name
            for name, g in large["pages"].items()
            if g.get("queries") != small["pages"].get(name, {}).get("queries")
        ]
        out.append(
            "- Same number of queries at 100,000 as at 2,000: "
            + ("met." if not same else f"NOT met for {', '.join(same)}.")
        )
        over = []
        for name, g in large["pages"].items():
            for level in ("c1", "c4"):
                a = (small["pages"].get(name, {}).get(level) or {}).get("p95_ms")
                b = (g.get(level) or {}).get("p95_ms")
                if a and b and b / a > MAX_P95_GROWTH:
                    over.append(f"{name} ({level[1:]} client{'s' if level == 'c4' else ''}: "
                                f"{b / a:.2f}x)")  # fmt: skip
        out.append(
            f"- p95 at 100k within {MAX_P95_GROWTH}x of 2k: "
            + ("met for every page." if not over else "NOT met for " + "; ".join(over) + ".")
        )
    search = (pages.get("search_page", {}).get("c1") or {}).get("p50_ms")
    admin = (base.get("admin_search", {}).get("c1") or {}).get("p50_ms")
    if search and admin:
        ratio = admin / search
        out.append(
            f"- Patient search at least {MIN_SEARCH_VS_ADMIN:.0f}x faster than the admin "
            f"changelist search (p50, 1 client): {ratio:.1f}x "
            f"({'met' if ratio >= MIN_SEARCH_VS_ADMIN else 'NOT met'} at this scale)."
        )
    chart = (pages.get("chart", {}).get("c4") or {}).get("rps")
    bare = (base.get("bare", {}).get("c4") or {}).get("rps")
    if chart and bare:
        share = chart / bare
        out.append(
            f"- Chart throughput at least {MIN_CHART_VS_BARE_RPS:.0%} of the bare view's at 4 "
            f"clients: {share:.0%} ({'met' if share >= MIN_CHART_VS_BARE_RPS else 'NOT met'})."
            + (
                ""
                if share >= MIN_CHART_VS_BARE_RPS
                else " The bare view answers ~200 bytes after 2 indexed queries; the chart runs "
                "15 and renders ~30 KB: where its time goes and what would close the gap is in "
                "bench/README.md, Findings."
            )
        )
    return out
