"""The ``yuqing`` command.

Every problem the user can fix (a missing config file, a bad key, an
unknown source, a data dir that cannot be written) ends in one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from yuqing import __version__
from yuqing.errors import YuqingError
from yuqing.settings import Settings, load_settings


def _settings_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML settings file (see config.example.toml)")
    parser.add_argument("--data-dir", type=Path, help="where the embedded databases live (default ./data)")


def _server_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8000, or $PORT)")


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {"data_dir": args.data_dir, "time_scale": getattr(args, "time_scale", None), **extra}
    server = {k: v for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None))) if v}
    settings = load_settings(args.config, **overrides)
    if server:
        settings.server = settings.server.model_copy(update=server)
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    from yuqing import demo, runtime

    config = args.config or (demo.CONFIG if args.demo else None)
    args.config = config
    settings = _settings(args, demo=True if args.demo else None)
    runtime.run(settings, crawl=True)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from yuqing import runtime

    runtime.run(_settings(args), crawl=False)
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    from yuqing.crawlers.oneshot import crawl_once

    settings = _settings(args)
    report = crawl_once(
        settings,
        args.source,
        queries=args.query or None,
        base_url=args.base_url,
        max_pages=args.max_pages,
        output=args.output,
    )
    print(report.summary(), file=sys.stderr)
    return 0 if report.ok else 1


def cmd_ingest(args: argparse.Namespace) -> int:
    from yuqing.ingest_file import ingest_json_lines
    from yuqing.services import Services

    path = Path(args.file)
    if not path.is_file():
        raise YuqingError(f"file not found: {path}")
    services = Services(_settings(args))
    try:
        result = ingest_json_lines(services, path)
    finally:
        services.close()
    print(result.summary(), file=sys.stderr)
    return 0 if not result.bad_lines else 1


def cmd_parse(args: argparse.Namespace) -> int:
    from yuqing.crawlers.parse_file import parse_file

    posts = parse_file(args.source, Path(args.file), url=args.url, now=args.now)
    for post in posts:
        sys.stdout.write(json.dumps(post, ensure_ascii=False) + "\n")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from yuqing.crawlers.replay import ReplayServer

    directory = Path(args.directory)
    if not directory.is_dir():
        raise YuqingError(f"replay directory not found: {directory}")
    server = ReplayServer(directory, host=args.host or "127.0.0.1", port=args.port or 0)
    print(f"replaying {len(server.routes)} routes from {directory} at {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from yuqing.accounts import add_user
    from yuqing.clock import SystemClock
    from yuqing.services import ensure_data_dir
    from yuqing.storage.database import make_engine, migrate, session_factory

    settings = _settings(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise YuqingError("the passwords differ")
    else:
        raise YuqingError("give the password on standard input with --password-stdin")
    ensure_data_dir(settings.data_dir)
    engine = make_engine(settings.workflow_url)
    try:
        migrate(engine)
        with session_factory(engine).begin() as session:
            user = add_user(session, SystemClock(), args.name, args.role, password, email=args.email)
            print(f"added user {user.username} ({user.role}{', ' + user.email if user.email else ''})")
    finally:
        engine.dispose()
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """People's corrections as training rows: label 0 = negative, 1 = not negative (the shared sets' labels)."""
    import csv

    from sqlalchemy import select

    from yuqing.storage.database import make_engine, migrate, session_factory
    from yuqing.storage.models import Feedback

    settings = _settings(args)
    engine = make_engine(settings.workflow_url)
    try:
        migrate(engine)
        with session_factory(engine)() as session:
            rows = list(session.scalars(select(Feedback).order_by(Feedback.created_at)))
    finally:
        engine.dispose()
    out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out)
        writer.writerow(["label", "text"])
        for row in rows:
            writer.writerow([0 if row.label == "negative" else 1, row.text.replace("\n", " ")])
    finally:
        if args.out:
            out.close()
    print(f"{len(rows)} corrections", file=sys.stderr)
    return 0


def _show_progress(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def _sentiment_model(args: argparse.Namespace) -> Any:
    """The model --backend/--model name, else the one the settings name."""
    from yuqing.nlp.sentiment import load_model

    settings = load_settings(args.config)
    backend = args.backend or settings.sentiment_model
    path = args.model or settings.sentiment_model_path
    try:
        return load_model(backend, path)
    except (ValueError, OSError) as exc:
        raise YuqingError(f"cannot load sentiment model {backend!r}: {exc}") from None


def cmd_train(args: argparse.Namespace) -> int:
    from yuqing.nlp.train import TrainRequest, default_data_dir, train

    options = {"C": args.c, "folds": args.folds}
    if args.base is not None:
        options["base"] = args.base
    request = TrainRequest(
        data=[Path(p) for p in args.data or []],
        out=Path(args.out or f"models/{args.backend}"),
        data_dir=Path(args.shared_data) if args.shared_data else default_data_dir(),
        progress=_show_progress(args),
        options=options,
    )
    out = train(args.backend, request)
    print(f"wrote {args.backend} model to {out} (load it with --backend {args.backend} --model {out})", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from yuqing.nlp.evaluate import evaluate, format_metrics
    from yuqing.nlp.train import read_csv

    model = _sentiment_model(args)
    for i, path in enumerate(args.data):
        examples = read_csv(Path(path))
        if not examples:
            raise YuqingError(f"{path}: no labelled rows")
        m = evaluate(model, [e.text for e in examples], [e.negative for e in examples], _show_progress(args))
        if i:
            print()
        print(format_metrics(m, f"{path} ({getattr(model, 'name', args.backend)})"))
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from yuqing.nlp.classify_io import classify_lines

    model = _sentiment_model(args)
    try:
        done, errors = classify_lines(model, sys.stdin.buffer, sys.stdout, progress=_show_progress(args))
    except OSError as exc:
        raise YuqingError(f"cannot read standard input: {exc}") from None
    if errors:
        print(f"classified {done} lines, {errors} could not be read", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from yuqing.accounts import ROLES

    parser = argparse.ArgumentParser(prog="yuqing", description="舆情 brand monitoring and crisis response")
    parser.add_argument("--version", action="version", version=f"yuqing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="everything in one process: crawl, analyse, alert, API and console")
    _settings_args(run)
    _server_args(run)
    run.add_argument("--demo", action="store_true", help="demo mode: sample pages, demo users (password 'demo')")
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="the API, console and alerting, without crawling")
    _settings_args(serve)
    _server_args(serve)
    serve.set_defaults(func=cmd_serve)
    for p in (run, serve):
        p.add_argument(
            "--time-scale",
            type=float,
            metavar="N",
            help="a drill (演练): N simulated seconds per real second, kept in the data dir",
        )

    crawl = sub.add_parser("crawl", help="crawl one source once")
    crawl.add_argument("source", help="source name, e.g. weibo, baidu, discuz")
    _settings_args(crawl)
    crawl.add_argument("--query", action="append", help="keyword (or forum list path); repeatable")
    crawl.add_argument("--base-url", help="site root, e.g. a replay server")
    crawl.add_argument("--max-pages", type=int)
    crawl.add_argument(
        "--output",
        "-o",
        help="write posts as JSON lines to this file ('-' for stdout) instead of analysing and storing them",
    )
    crawl.set_defaults(func=cmd_crawl)

    ingest = sub.add_parser("ingest", help="analyse, store and alert on posts from a JSON-lines file")
    ingest.add_argument("file", help="posts as written by `yuqing crawl -o` (or data/dead-letter.jsonl)")
    _settings_args(ingest)
    ingest.set_defaults(func=cmd_ingest)

    parse = sub.add_parser("parse", help="parse one saved page; one JSON line per post found")
    parse.add_argument("--source", required=True, help="weibo, weibo-cn, baidu, baidu-news, tieba or discuz")
    parse.add_argument("file", help="the saved page (HTML or JSON), as the site sent it")
    parse.add_argument("--url", help="the page's address (helps with ids and relative links)")
    parse.add_argument("--now", help="ISO 8601 time relative times are read against (default: now)")
    parse.set_defaults(func=cmd_parse)

    replay = sub.add_parser("replay", help="serve saved pages (a directory with routes.json)")
    replay.add_argument("directory")
    replay.add_argument("--host")
    replay.add_argument("--port", type=int)
    replay.set_defaults(func=cmd_replay)

    trainp = sub.add_parser("train", help="train a sentiment model (default: the shipped recipe)")
    trainp.add_argument("--backend", default="linear", help="trainer to use (default linear)")
    trainp.add_argument(
        "--data", action="append", metavar="CSV", help="labelled CSV (label,text; 0 = negative); repeatable"
    )
    trainp.add_argument("--out", metavar="DIR", help="model directory to write (default models/BACKEND)")
    trainp.add_argument("--shared-data", metavar="DIR", help="where the shipped recipe's sets are (../shared/data)")
    trainp.add_argument("--base", metavar="DIR", help="base model directory (transformers backend)")
    trainp.add_argument("--c", type=float, help="linear: inverse regularisation (default: chosen by CV)")
    trainp.add_argument("--folds", type=int, default=5, help="cross-validation folds for choices (default 5)")
    trainp.add_argument("--progress", action="store_true", help="progress on stderr even when not a terminal")
    trainp.set_defaults(func=cmd_train)

    for name, helptext in (
        ("eval", "score a sentiment model on labelled CSV (label,text; 1 = not negative, 0 = negative)"),
        ("classify", 'classify JSON lines ({"text": ...}) from stdin to stdout'),
    ):
        p = sub.add_parser(name, help=helptext)
        if name == "eval":
            p.add_argument("--data", action="append", required=True, metavar="CSV", help="repeatable")
        p.add_argument("--backend", help="sentiment model name (default: the settings' sentiment_model)")
        p.add_argument("--model", type=Path, metavar="PATH", help="model directory, e.g. from yuqing train")
        p.add_argument("--config", type=Path, help="TOML settings file (sentiment_model, sentiment_model_path)")
        p.add_argument("--progress", action="store_true", help="progress on stderr even when not a terminal")
        p.set_defaults(func=cmd_eval if name == "eval" else cmd_classify)

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--email", help="where e-mail channels reach this user")
    _settings_args(add)
    add.set_defaults(func=cmd_user_add)

    fb = sub.add_parser("feedback", help="the console's corrections of sentiment")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    export = fb_sub.add_parser("export", help="write them as label,text CSV for `yuqing train --data`")
    export.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")
    _settings_args(export)
    export.set_defaults(func=cmd_feedback_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except YuqingError as exc:
        print(f"yuqing: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `yuqing parse ... | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
