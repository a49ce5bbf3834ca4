"""The embedded post store: SQLite with an FTS5 index over jieba tokens.

FTS5's ``unicode61`` tokenizer splits on whitespace and punctuation but not
between Chinese characters, so the index column holds the text already
segmented by jieba (``cut_for_search``, which also emits the shorter words
inside long ones) and joined with spaces. A query is segmented the same way
and every word must match.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Collection, Sequence

from yuqing.post import SHANGHAI, Analysis, Post

from .posts import (
    BUCKET_SECONDS,
    Bucket,
    EventRecord,
    KnownPost,
    PostPage,
    PostQuery,
    Tokenizer,
    TrendPoint,
    UpsertResult,
)

MASK64 = (1 << 64) - 1
AUTHORS_KEPT = 50_000  # author names whose segmentation is kept


def to_signed(value: int) -> int:
    """An unsigned 64-bit SimHash as SQLite's signed INTEGER."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & MASK64


SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    post_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    author_followers INTEGER,
    published_at TEXT,
    fetched_at TEXT NOT NULL,
    ts INTEGER NOT NULL,
    reposts INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    likes INTEGER NOT NULL,
    parent_id TEXT,
    raw TEXT NOT NULL,
    brands TEXT NOT NULL,
    sentiment TEXT,
    negative_score REAL,
    evidence TEXT NOT NULL,
    simhash INTEGER,
    duplicate_of TEXT,
    event_id TEXT,
    risk_score REAL,
    severity TEXT,
    risk_reasons TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS posts_ts ON posts (ts);
CREATE INDEX IF NOT EXISTS posts_source_ts ON posts (source, ts);
CREATE INDEX IF NOT EXISTS posts_sentiment_ts ON posts (sentiment, ts);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5 (tokens, tokenize = 'unicode61');
"""

# Columns added after the first release: a posts.db made before them gets them
# with ALTER TABLE when opened (old rows read as "not analysed for this").
ADDED_COLUMNS = {
    "simhash": "INTEGER",
    "duplicate_of": "TEXT",
    "event_id": "TEXT",
    "risk_score": "REAL",
    "severity": "TEXT",
    "risk_reasons": "TEXT NOT NULL DEFAULT '[]'",
}


# Events of the event step, which span posts.
INDEXES = """
CREATE INDEX IF NOT EXISTS posts_event ON posts (event_id);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    brand TEXT NOT NULL,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    size INTEGER NOT NULL,
    first_key TEXT NOT NULL,
    title TEXT NOT NULL,
    centroid TEXT NOT NULL,
    recent TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_brand_last ON events (brand, last_ts);
CREATE INDEX IF NOT EXISTS events_last ON events (last_ts);
CREATE INDEX IF NOT EXISTS events_seq ON events (seq);
"""

_COLUMNS = (
    "key, source, post_id, url, title, text, author, author_followers, published_at, "
    "fetched_at, ts, reposts, comments, likes, parent_id, raw, brands, sentiment, "
    "negative_score, evidence, simhash, duplicate_of, event_id, risk_score, severity, risk_reasons"
)


_UPSERT = f"""
INSERT INTO posts ({_COLUMNS}) VALUES ({",".join("?" * len(_COLUMNS.split(",")))})
ON CONFLICT (key) DO UPDATE SET
    url = excluded.url, title = excluded.title, text = excluded.text,
    author = excluded.author,
    author_followers = COALESCE(excluded.author_followers, posts.author_followers),
    published_at = COALESCE(excluded.published_at, posts.published_at),
    fetched_at = excluded.fetched_at,
    ts = CASE WHEN excluded.published_at IS NULL AND posts.published_at IS NOT NULL
              THEN posts.ts ELSE excluded.ts END,
    reposts = excluded.reposts, comments = excluded.comments, likes = excluded.likes,
    parent_id = COALESCE(excluded.parent_id, posts.parent_id),
    raw = excluded.raw, brands = excluded.brands, sentiment = excluded.sentiment,
    negative_score = excluded.negative_score, evidence = excluded.evidence,
    simhash = excluded.simhash, duplicate_of = excluded.duplicate_of,
    event_id = excluded.event_id, risk_score = excluded.risk_score,
    severity = excluded.severity, risk_reasons = excluded.risk_reasons
"""


def _json(value: Any) -> str:
    """``value`` as JSON; an empty list or dict (most posts' evidence, reasons, raw) without the encoder."""
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    return json.dumps(value, ensure_ascii=False, default=str)


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _fts_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


class SqlitePostStore:
    """A PostStore in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path | str, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._authors: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL: a commit is not fsynced (checkpoints are); a crash loses no data
        # already checkpointed and never corrupts the file, at most the last batches,
        # which the next crawl fetches again. Two commits a batch (posts, events) stay cheap.
        self._db.execute("PRAGMA synchronous = NORMAL")
        # 64 MiB of page cache (SQLite's default is 2 MiB): the full-text index and the
        # posts' indexes take most of an upsert's page reads once posts.db outgrows 2 MiB
        self._db.execute("PRAGMA cache_size = -65536")
        self._db.executescript(SCHEMA)
        self._add_missing_columns()
        self._db.executescript(INDEXES)

    def _add_missing_columns(self) -> None:
        have = {row[1] for row in self._db.execute("PRAGMA table_info(posts)")}
        with self._db:
            for name, kind in ADDED_COLUMNS.items():
                if name not in have:
                    self._db.execute(f"ALTER TABLE posts ADD COLUMN {name} {kind}")

    # -- writing ---------------------------------------------------------

    def upsert(self, posts: Sequence[Post]) -> UpsertResult:
        """One transaction a batch: the rows in one ``executemany``, then their index text."""
        result = UpsertResult()
        if not posts:
            return result
        latest: dict[str, Post] = {post.key: post for post in posts}
        keys = list(latest)
        rows = [self._row(post) for post in latest.values()]
        texts = [self._index_text(post) for post in latest.values()]
        with self._lock, self._db:
            before = self._ids(keys)
            self._db.executemany(_UPSERT, rows)
            ids = {**before, **self._ids([k for k in keys if k not in before])}
            self._db.executemany("DELETE FROM posts_fts WHERE rowid = ?", [(i,) for i in before.values()])
            self._db.executemany(
                "INSERT INTO posts_fts (rowid, tokens) VALUES (?, ?)",
                [(ids[key], text) for key, text in zip(keys, texts, strict=True)],
            )
        for key in keys:
            (result.updated if key in before else result.created).append(key)
        return result

    def _ids(self, keys: list[str]) -> dict[str, int]:
        """The row ids of the stored posts among ``keys``."""
        found: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT key, id FROM posts WHERE key IN ({marks})", chunk).fetchall())
        return found

    def _row(self, post: Post) -> tuple[Any, ...]:
        a = post.analysis
        when = post.published_at or post.fetched_at
        return (
            post.key,
            post.source,
            post.post_id,
            post.url,
            post.title,
            post.text,
            post.author,
            post.author_followers,
            post.published_at.isoformat() if post.published_at else None,
            post.fetched_at.isoformat(),
            _epoch(when),
            post.reposts,
            post.comments,
            post.likes,
            post.parent_id,
            _json(post.raw),
            _json(sorted(set(a.brands))),
            a.sentiment,
            a.negative_score,
            _json(a.evidence),
            to_signed(int(a.simhash, 16)) if a.simhash else None,
            a.duplicate_of,
            a.event_id,
            a.risk_score,
            a.severity,
            _json(a.risk_reasons),
        )

    def _index_text(self, post: Post) -> str:
        """The words to index: the pipeline's (cleaned, simplified) words with the
        shorter words inside long ones, or a fresh segmentation when it has none."""
        if post.analysis.tokens:
            words = self._tokenizer.expand_for_search(post.analysis.tokens) + self._author_words(post.author)
        else:
            words = self._tokenizer.cut_for_search(f"{post.title}\n{post.text}\n{post.author}")
        return " ".join(words).lower()

    def _author_words(self, author: str) -> list[str]:
        """The author's name segmented, once per name (the same accounts post again and again)."""
        words = self._authors.get(author)
        if words is None:
            if len(self._authors) >= AUTHORS_KEPT:
                self._authors.clear()
            words = self._authors[author] = self._tokenizer.cut(author)
        return words

    # -- reading ---------------------------------------------------------

    def get(self, key: str) -> Post | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM posts WHERE key = ?", (key,)).fetchone()
        return None if row is None else _post(row)

    def search(self, query: PostQuery) -> PostPage:
        where, params = self._where(query)
        if where is None:
            return PostPage(items=[], total=0)
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM posts WHERE {where}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM posts WHERE {where} ORDER BY ts DESC, id DESC LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            ).fetchall()
        return PostPage(items=[_post(r) for r in rows], total=int(total))

    def trend(self, query: PostQuery, bucket: Bucket) -> list[TrendPoint]:
        where, params = self._where(query)
        if where is None:
            return []
        size = BUCKET_SECONDS[bucket]
        offset = 8 * 3600  # buckets start at Shanghai midnight / the Shanghai hour
        with self._lock:
            rows = self._db.execute(
                f"""
                SELECT ((ts + {offset}) / {size}) * {size} - {offset} AS start, sentiment, count(*)
                FROM posts WHERE {where}
                GROUP BY start, sentiment ORDER BY start, sentiment
                """,
                params,
            ).fetchall()
        return [
            TrendPoint(
                start=datetime.fromtimestamp(r[0], tz=UTC).astimezone(SHANGHAI),
                sentiment=r[1],
                count=int(r[2]),
            )
            for r in rows
        ]

    def _where(self, query: PostQuery) -> tuple[str | None, list[Any]]:
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if query.text:
            tokens = [t for t in self._tokenizer.cut(query.text.lower()) if t.strip() and t.isalnum()]
            if not tokens:
                return None, []
            clauses.append("id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)")
            params.append(" AND ".join(_fts_phrase(t) for t in tokens))
        if query.brand:
            clauses.append("EXISTS (SELECT 1 FROM json_each(posts.brands) WHERE value = ?)")
            params.append(query.brand)
        if query.source:
            clauses.append("source = ?")
            params.append(query.source)
        if query.sentiment:
            clauses.append("sentiment = ?")
            params.append(query.sentiment)
        if query.since:
            clauses.append("ts >= ?")
            params.append(_epoch(query.since))
        if query.until:
            clauses.append("ts < ?")
            params.append(_epoch(query.until))
        return " AND ".join(clauses), params

    # -- what the ingest steps keep between batches (PipelineState) ------

    _KNOWN = (
        "key, ts, simhash, duplicate_of, event_id, "
        "CASE WHEN parent_id IS NULL THEN NULL ELSE source || ':' || parent_id END AS parent_key"
    )

    def known(self, keys: Collection[str]) -> dict[str, KnownPost]:
        keys = list(keys)
        found: dict[str, KnownPost] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(f"SELECT {self._KNOWN} FROM posts WHERE key IN ({marks})", chunk):
                    found[row["key"]] = _known(row)
        return found

    def fingerprints_after(self, cursor: int, since: int) -> tuple[list[KnownPost], int]:
        with self._lock:
            top = self._db.execute("SELECT coalesce(max(id), 0) FROM posts").fetchone()[0]
            rows = self._db.execute(
                f"SELECT {self._KNOWN} FROM posts WHERE id > ? AND id <= ? AND ts >= ? "
                "AND simhash IS NOT NULL AND duplicate_of IS NULL ORDER BY ts, key",
                (cursor, top, since),
            ).fetchall()
        return [_known(r) for r in rows], int(top)

    _EVENT = "id, brand, first_ts, last_ts, size, first_key, title, centroid, recent"

    def events_between(self, brands: Collection[str] | None, since: int, until: int) -> list[EventRecord]:
        where, params = "last_ts >= ? AND first_ts <= ?", [since, until]
        if brands is not None:
            brands = list(brands)
            if not brands:
                return []
            where += f" AND brand IN ({','.join('?' * len(brands))})"
            params += brands
        with self._lock:
            rows = self._db.execute(f"SELECT {self._EVENT} FROM events WHERE {where} ORDER BY id", params).fetchall()
        return [_event(r) for r in rows]

    def events_after(self, cursor: int, since: int) -> tuple[list[EventRecord], int]:
        with self._lock:
            top = self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
            rows = self._db.execute(
                f"SELECT {self._EVENT} FROM events WHERE seq > ? AND seq <= ? AND last_ts >= ? ORDER BY seq",
                (cursor, top, since),
            ).fetchall()
        return [_event(r) for r in rows], int(top)

    def events_by_id(self, ids: Collection[str]) -> list[EventRecord]:
        ids = list(ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            query = f"SELECT {self._EVENT} FROM events WHERE id IN ({marks}) ORDER BY id"
            rows = self._db.execute(query, ids).fetchall()
        return [_event(r) for r in rows]

    def save_events(self, events: Sequence[EventRecord]) -> None:
        rows = [
            (
                e.id,
                e.brand,
                e.first_ts,
                e.last_ts,
                e.size,
                e.first_key,
                e.title,
                json.dumps(e.centroid, ensure_ascii=False),
                json.dumps(e.recent),
            )
            for e in events
        ]
        with self._lock, self._db:
            # seq: a counter over all saves (in any process: SQLite serialises writers), so
            # events_after finds what changed since a cursor
            seq = self._db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
            self._db.executemany(
                f"INSERT OR REPLACE INTO events ({self._EVENT}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, seq + i) for i, row in enumerate(rows, start=1)],
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _post(row: sqlite3.Row) -> Post:
    return Post(
        source=row["source"],
        post_id=row["post_id"],
        url=row["url"],
        title=row["title"],
        text=row["text"],
        author=row["author"],
        author_followers=row["author_followers"],
        published_at=datetime.fromisoformat(row["published_at"]) if row["published_at"] else None,
        fetched_at=datetime.fromisoformat(row["fetched_at"]),
        reposts=row["reposts"],
        comments=row["comments"],
        likes=row["likes"],
        parent_id=row["parent_id"],
        raw=json.loads(row["raw"]),
        analysis=Analysis(
            brands=json.loads(row["brands"]),
            sentiment=row["sentiment"],
            negative_score=row["negative_score"],
            evidence=json.loads(row["evidence"]),
            simhash=f"{to_unsigned(row['simhash']):016x}" if row["simhash"] is not None else None,
            duplicate_of=row["duplicate_of"],
            event_id=row["event_id"],
            risk_score=row["risk_score"],
            severity=row["severity"],
            risk_reasons=json.loads(row["risk_reasons"] or "[]"),
        ),
    )


def _known(row: sqlite3.Row) -> KnownPost:
    simhash = row["simhash"]
    return KnownPost(
        key=row["key"],
        ts=int(row["ts"]),
        simhash=None if simhash is None else to_unsigned(simhash),
        duplicate_of=row["duplicate_of"],
        event_id=row["event_id"],
        parent_key=row["parent_key"],
    )


def _event(row: sqlite3.Row) -> EventRecord:
    return EventRecord(
        id=row["id"],
        brand=row["brand"],
        first_ts=int(row["first_ts"]),
        last_ts=int(row["last_ts"]),
        size=int(row["size"]),
        first_key=row["first_key"],
        title=row["title"],
        centroid=json.loads(row["centroid"]),
        recent=json.loads(row["recent"]),
    )
