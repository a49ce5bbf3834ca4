"""JSON lines in, JSON lines out: ``yuqing classify``.

Each input line is an object with a string ``text``; the output line is the
same object (every other key passed through, in order) with ``label``,
``negative_score`` and ``evidence`` added. A line that is empty, not UTF-8,
not JSON, not an object or without a string ``text`` becomes
``{"error": "...", "line": N}`` (N counts from 1) and the run goes on, so the
output always has one line per input line, in the same order.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from yuqing.nlp.sentiment import SentimentModel

BATCH = 256


@contextlib.contextmanager
def progress_bar(total: int | None, enabled: bool, desc: str) -> Iterator[Any]:
    """A tqdm bar on stderr when ``enabled`` (and tqdm is installed); otherwise a no-op."""
    bar: Any = None
    if enabled:
        try:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=desc, unit="text", file=sys.stderr, leave=False)
        except ImportError:
            bar = None
    if bar is None:
        yield _NoBar()
        return
    try:
        yield bar
    finally:
        bar.close()


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass


def parse_line(raw: bytes | str, lineno: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(the input object, None) or (None, the error object) for one line."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, {"error": "line is not UTF-8", "line": lineno}
    line = raw.strip().lstrip("\ufeff")
    if not line:
        return None, {"error": "empty line", "line": lineno}
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, {"error": f"invalid JSON: {exc.msg}", "line": lineno}
    if not isinstance(obj, dict):
        return None, {"error": "expected a JSON object", "line": lineno}
    if not isinstance(obj.get("text"), str):
        return None, {"error": 'no string "text"', "line": lineno}
    return obj, None


def classify_lines(
    model: SentimentModel, lines: Iterable[bytes | str], out: IO[str], *, progress: bool = False
) -> tuple[int, int]:
    """Classify JSON lines from ``lines`` into ``out``; returns (classified, errors)."""
    done = errors = 0
    pending: list[dict[str, Any] | None] = []  # None marks an error line, already rendered
    rendered: list[str] = []

    def flush() -> None:
        nonlocal done
        objs = [o for o in pending if o is not None]
        preds = iter(model.predict([o["text"] for o in objs])) if objs else iter(())
        chunks: list[str] = []
        errs = iter(rendered)
        for o in pending:
            if o is None:
                chunks.append(next(errs))
                continue
            p = next(preds)
            o = {**o, "label": p.label, "negative_score": p.negative_score, "evidence": list(p.evidence)}
            chunks.append(json.dumps(o, ensure_ascii=False))
        out.write("".join(c + "\n" for c in chunks))
        out.flush()
        done += len(objs)
        bar.update(len(pending))
        pending.clear()
        rendered.clear()

    with progress_bar(None, progress, "classify") as bar:
        for lineno, raw in enumerate(lines, 1):
            obj, err = parse_line(raw, lineno)
            if err is not None:
                errors += 1
                rendered.append(json.dumps(err, ensure_ascii=False))
            pending.append(obj)
            if len(pending) >= BATCH:
                flush()
        if pending:
            flush()
    return done, errors
