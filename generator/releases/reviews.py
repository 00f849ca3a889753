"""Clinical reviews that are due: `nenguide check` lists them, newest version first."""

from __future__ import annotations

from generator.model import Guideline, Release
from generator.releases.sources import export_of


def overdue_reviews(guideline: Guideline, today: str) -> list[str]:
    """One line per approved page whose next review date has come, in every version that is
    still read (drafts and published releases; not withdrawn ones)."""
    lines = []
    for version in reversed(guideline.all_versions()):
        if isinstance(version, Release) and version.status != "published":
            continue
        for section in export_of(guideline, version)["sections"]:
            due = section["review"]["next_review_due"]
            if section["review"]["status"] == "approved" and due and due <= today:
                lines.append(f"version {version.version}, {section['title']} "
                             f"({section['id']}): review was due on {due}")
    return lines
