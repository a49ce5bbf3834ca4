"""The whole ingest path in posts/s, against jieba segmentation alone on the same posts.

Run: ``.venv/bin/python bench/bench_pipeline.py [N posts]`` (default 5,000).

Posts are built from the texts of ../shared/data/weibo2018_train.csv (real
Weibo posts), a third of them naming the benchmark brand so brand rules,
events and risk have work to do. Measured in one process, one thread, the
same run: (1) jieba alone: ``Segmenter.cut`` on each post's text — the floor
no Chinese pipeline can go under; (2) the ingest pipeline (every step in
``nlp.pipeline.DEFAULT_STEPS``) plus the store upsert into a fresh SQLite
file, in batches of 100 as the crawlers hand them over. The jieba dictionary
is loaded before timing in both. Two jieba baselines: jieba as it comes (HMM
on), and jieba as yuqing runs it (the brand words added, HMM as
``segment_new_words`` says: on by default).
"""

from __future__ import annotations

import csv
import logging
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import jieba

from yuqing.nlp.pipeline import Pipeline, build_segmenter, step_order
from yuqing.post import SHANGHAI, Post
from yuqing.settings import BrandSettings, load_settings
from yuqing.storage.sqlite_posts import SqlitePostStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "weibo2018_train.csv"
BRAND = BrandSettings(name="星河电器", keywords=["星河空调", "星河热水器"])
BATCH = 100


def texts(limit: int) -> list[str]:
    with DATA.open(encoding="utf-8", newline="") as f:
        rows = [row["text"] for row in csv.DictReader(f)]
    return [rows[i % len(rows)] for i in range(limit)]


def posts(items: list[str]) -> list[Post]:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    made = []
    for i, text in enumerate(items):
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
                published_at=now - timedelta(seconds=len(items) - i),
                reposts=i % 50,
                comments=i % 30,
                likes=i % 200,
                fetched_at=now,
            )
        )
    return made


def main(n: int) -> None:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if not DATA.is_file():
        print(f"skipped: {DATA} is absent (the shared/ folder beside the repo)")
        return
    items = texts(n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        settings.brands = [BRAND]
        segmenter = build_segmenter(settings)
        segmenter.cut("预热")  # load the dictionary before timing

        start = time.perf_counter()
        for text in items:
            segmenter.cut(text)
        jieba_rate = n / (time.perf_counter() - start)

        plain = jieba.Tokenizer()  # jieba as it comes: HMM on for unknown words
        plain.initialize()
        start = time.perf_counter()
        for text in items:
            list(plain.cut(text))
        plain_rate = n / (time.perf_counter() - start)

        store = SqlitePostStore(Path(tmp) / "posts.db", segmenter)
        pipeline = Pipeline.from_settings(settings, segmenter, store)  # dedup and events read the store
        batch = posts(items)
        pipeline(posts(items[:BATCH]))  # warm the models up
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            store.upsert(pipeline(batch[i : i + BATCH]))
        pipeline_rate = n / (time.perf_counter() - start)
        store.close()

    print(f"posts: {n} (weibo2018 texts), steps: {' → '.join(p.rsplit('.', 1)[1] for p in step_order({}))} → store")
    print(f"{'run':<28} {'posts/s':>9}")
    print(f"{'jieba as it comes (HMM)':<28} {plain_rate:>9.0f}")
    print(f"{'jieba as yuqing runs it':<28} {jieba_rate:>9.0f}  (brand words, segment_new_words as set)")
    print(f"{'whole ingest + store':<28} {pipeline_rate:>9.0f}")
    print(
        f"ratio: the ingest runs at {pipeline_rate / plain_rate:.2f} × jieba as it comes, "
        f"{pipeline_rate / jieba_rate:.2f} × jieba as yuqing runs it"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
