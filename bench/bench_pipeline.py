"""The whole ingest path in posts/s, against jieba segmentation alone on the same posts.

Run: ``.venv/bin/python bench/bench_pipeline.py [N posts [ROUNDS]]`` (default 5,000
posts, 3 rounds; each rate printed is the best of its rounds, the runs taking
turns so that a busy spell on a shared machine does not fall on one of them).
Rates are per second of the process's CPU time (one core's work, steadier on a
shared machine) and of the wall clock (which also counts waiting for disk).

Posts are built from the texts of ../shared/data/weibo2018_train.csv (real
Weibo posts), a third of them naming the benchmark brand so brand rules,
events and risk have work to do. Measured in one process, one thread, the
same run, on the same posts (their text as the pipeline receives it):

1. jieba alone: ``jieba.Tokenizer.cut`` (HMM on), as it comes, and with
   yuqing's brand words added: the floor no jieba-based pipeline can go under.
2. yuqing's ``Segmenter.cut``: the same words as (1) with the brand words,
   from its own pass over jieba's dictionary and HMM (``segment.AccurateCut``).
3. the ingest pipeline (every step in ``nlp.pipeline.DEFAULT_STEPS``) plus the
   store upsert into a fresh SQLite file, in batches of 100 as the crawlers
   hand them over.

Every jieba dictionary is loaded before its timing. Each of (2) and (3) gets a
segmenter of its own in each round, built before timing, so neither starts
with what the other cached, and (3) fresh posts and a fresh posts.db. The
models are warmed up on a batch of other posts (not timed, not among the
timed ones). The ratio the issue asks about is (3) / (1).
"""

from __future__ import annotations

import csv
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import jieba

from yuqing.nlp.pipeline import Pipeline, build_segmenter, step_order
from yuqing.nlp.segment import Segmenter
from yuqing.post import SHANGHAI, Post
from yuqing.settings import BrandSettings, Settings, load_settings
from yuqing.storage.sqlite_posts import SqlitePostStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "weibo2018_train.csv"
BRAND = BrandSettings(name="星河电器", keywords=["星河空调", "星河热水器"])
BATCH = 100
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


def texts(limit: int) -> list[str]:
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = [row["text"] for row in csv.DictReader(f)]
    return [rows[i % len(rows)] for i in range(limit)]


def posts(items: list[str], first_id: int = 0, end: datetime = NOW) -> list[Post]:
    """One post a second, the last one second before ``end``; ids from ``first_id``."""
    made = []
    for i, text in enumerate(items, start=first_id):
        if i % 3 == 0:
            text = f"星河热水器{text}"
        made.append(
            Post(
                source="weibo",
                post_id=str(i),
                url=f"https://m.weibo.cn/detail/{i}",
                text=text,
                author=f"user{i % 500}",
                author_followers=(i * 37) % 100_000,
                published_at=end - timedelta(seconds=len(items) + first_id - i),
                reposts=i % 50,
                comments=i % 30,
                likes=i % 200,
                fetched_at=NOW,
            )
        )
    return made


def rate(n: int, run: Callable[[], object]) -> tuple[float, float]:
    """Posts per second of the process's CPU time (what one core does, whoever else is
    busy on the machine) and of the wall clock."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return n / (time.process_time() - cpu), n / (time.perf_counter() - wall)


def fresh_segmenter(settings: Settings) -> Segmenter:
    segmenter = build_segmenter(settings)
    segmenter.cut("预热")  # load the dictionary before timing
    return segmenter


def one_round(settings: Settings, items: list[str], n: int, db: Path) -> dict[str, tuple[float, float]]:
    """Each run once, on fresh posts, segmenters and store; posts/s by run."""
    batch, warm_up = posts(items[:n]), posts(items[n:], first_id=n, end=NOW - timedelta(seconds=n))
    contents = [post.content for post in batch]
    hmm = settings.segment_new_words
    plain = jieba.Tokenizer()  # jieba as it comes
    plain.initialize()
    branded = fresh_segmenter(settings).tokenizer  # jieba with yuqing's brand words
    segmenter = fresh_segmenter(settings)
    rates = {
        "plain": rate(n, lambda: [list(plain.cut(text, HMM=hmm)) for text in contents]),
        "jieba": rate(n, lambda: [list(branded.cut(text, HMM=hmm)) for text in contents]),
        "segment": rate(n, lambda: [segmenter.cut(text) for text in contents]),
    }
    segmenter = fresh_segmenter(settings)
    db.unlink(missing_ok=True)
    store = SqlitePostStore(db, segmenter)
    pipeline = Pipeline.from_settings(settings, segmenter, store)  # dedup and events read the store
    store.upsert(pipeline(warm_up))  # models, IDF table and caches of the code paths: other posts
    rates["pipeline"] = rate(n, lambda: [store.upsert(pipeline(batch[i : i + BATCH])) for i in range(0, n, BATCH)])
    store.close()
    return rates


def main(n: int, rounds: int) -> None:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent (the shared/ folder beside the repo)")
        return
    items = texts(n + BATCH)
    best: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        settings.brands = [BRAND]
        for _ in range(rounds):  # interleaved, so a busy spell on a shared machine hits every run alike
            for run, (cpu, wall) in one_round(settings, items, n, Path(tmp) / "posts.db").items():
                best_cpu, best_wall = best.get(run, (0.0, 0.0))
                best[run] = (max(best_cpu, cpu), max(best_wall, wall))
    hmm = "on" if settings.segment_new_words else "off"
    rows = {
        "plain": ("jieba as it comes", f"HMM {hmm}, as segment_new_words says"),
        "jieba": ("jieba with the brand words", ""),
        "segment": ("yuqing Segmenter.cut", "the same words, its own pass"),
        "pipeline": ("whole ingest + store", ""),
    }
    print(f"posts: {n} (weibo2018 texts), steps: {' → '.join(p.rsplit('.', 1)[1] for p in step_order({}))} → store")
    print(f"{'run (best of ' + str(rounds) + ')':<30} {'posts/s CPU':>12} {'posts/s wall':>13}")
    for run, (label, note) in rows.items():
        print(f"{label:<30} {best[run][0]:>12.0f} {best[run][1]:>13.0f}  {note}".rstrip())
    for i, clock in enumerate(("CPU", "wall")):
        pipeline = best["pipeline"][i]
        print(
            f"ratio ({clock}): the ingest runs at {pipeline / best['plain'][i]:.2f} × jieba as it comes, "
            f"{pipeline / best['jieba'][i]:.2f} × jieba with the brand words, "
            f"{pipeline / best['segment'][i]:.2f} × yuqing's segmentation alone"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
