"""Ingest posts kept as JSON lines (``yuqing crawl -o``, the dead-letter file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from yuqing.post import Post
from yuqing.services import IngestReport, Services

BATCH = 200


@dataclass
class FileIngest:
    path: Path
    report: IngestReport = field(default_factory=IngestReport)
    incidents: set[int] = field(default_factory=set)
    bad_lines: list[int] = field(default_factory=list)

    def add(self, report: IngestReport) -> None:
        self.report.received += report.received
        self.report.created += report.created
        self.report.updated += report.updated
        self.report.alerts += report.alerts
        self.incidents.update(report.incidents)

    def summary(self) -> str:
        r = self.report
        text = (
            f"{self.path}: {r.received} posts, {r.created} new, {r.updated} updated, {r.alerts} alerts, "
            f"incidents {sorted(self.incidents) or 'none'}"
        )
        if self.bad_lines:
            shown = ", ".join(map(str, self.bad_lines[:10])) + (" …" if len(self.bad_lines) > 10 else "")
            text += f"; {len(self.bad_lines)} lines are not posts and were skipped (lines {shown})"
        return text


def ingest_json_lines(services: Services, path: Path) -> FileIngest:
    """Every valid line is ingested; invalid lines are skipped and reported by number."""
    result = FileIngest(path)
    batch: list[Post] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                batch.append(Post.model_validate_json(line))
            except ValidationError:
                result.bad_lines.append(number)
                continue
            if len(batch) >= BATCH:
                result.add(services.ingest(batch))
                batch = []
    if batch:
        result.add(services.ingest(batch))
    return result
