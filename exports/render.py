"""Turning a record (`exports.records`) into the file its owner downloads: JSON, a PDF or a ZIP of CSVs."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils import translation

from coaching.pdf import html_to_pdf

# Spreadsheets run a cell that starts with one of these as a formula: a leader's log reading
# "=HYPERLINK(...)" must reach the coach's spreadsheet as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_json(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, indent=2).encode()


def as_pdf(record: dict, *, language: str | None = None) -> bytes:
    with translation.override(language or translation.get_language()):
        html = render_to_string("exports/record_print.html", {"record": record})
    return html_to_pdf(html)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def tables(record: dict) -> dict[str, list[dict]]:
    """The record as flat tables joined by ids, one per CSV file."""
    out: dict[str, list[dict]] = {
        name: []
        for name in (
            "engagements",
            "goals",
            "sessions",
            "agenda_items",
            "commitments",
            "practice_logs",
            "reflections",
            "self_ratings",
            "partnership_checkins",
            "stakeholder_results",
            "stakeholder_texts",
        )
    }
    for e in record["engagements"]:
        eid = e["id"]
        nested = ("goals", "sessions", "commitments", "reflections", "partnership_checkins", "stakeholder_results")
        out["engagements"].append({k: v for k, v in e.items() if k not in nested})
        out["goals"] += [{"engagement_id": eid, **g} for g in e["goals"]]
        for s in e["sessions"]:
            out["sessions"].append({"engagement_id": eid, **{k: v for k, v in s.items() if k != "agenda"}})
            out["agenda_items"] += [{"session_id": s["id"], **a} for a in s["agenda"]]
        for c in e["commitments"]:
            out["commitments"].append({"engagement_id": eid, **{k: v for k, v in c.items() if k != "logs"}})
            out["practice_logs"] += [{"commitment_id": c["id"], **log} for log in c["logs"]]
        for r in e["reflections"]:
            out["reflections"].append({"engagement_id": eid, **{k: v for k, v in r.items() if k != "self_ratings"}})
            out["self_ratings"] += [{"reflection_id": r["id"], **x} for x in r["self_ratings"]]
        out["partnership_checkins"] += [{"engagement_id": eid, **c} for c in e["partnership_checkins"]]
        for rr in e["stakeholder_results"]:
            for g in rr["goals"]:
                for f in [g["everyone"], *g["groups"]]:
                    out["stakeholder_results"].append(
                        {
                            "engagement_id": eid,
                            "round_id": rr["round_id"],
                            "goal_id": g["goal_id"],
                            "group": f["group"],
                            "asked": f["asked"],
                            "shown": f["shown"],
                            "answered": f.get("answered"),
                            "mean": f.get("mean"),
                        }
                    )
                out["stakeholder_texts"] += [
                    {"round_id": rr["round_id"], "about": g["goal"], "text": text} for text in g["suggestions"]
                ]
            for q in rr["questions"]:
                out["stakeholder_texts"] += [
                    {"round_id": rr["round_id"], "about": q["question"], "text": text} for text in q["answers"]
                ]
    return out


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8-sig")


def as_zip(record: dict, *, stem: str) -> bytes:
    """`<stem>/record.json` and one CSV per table, with a short README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}/record.json", as_json(record))
        for name, rows in tables(record).items():
            archive.writestr(f"{stem}/{name}.csv", _csv(rows))
        archive.writestr(f"{stem}/README.txt", render_to_string("exports/zip_readme.txt", {"record": record}))
    return buffer.getvalue()
