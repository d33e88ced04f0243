"""Command line: `python -m bot <command>` (also installed as `flx`).

Only `run` (with a token) and `sync` import discord; ask, chat, kb, eval and bench stay Discord-free.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings


def _load_engine(settings: Settings, **options):
    from bot.engine import Engine, KnowledgeBaseError, PromptError

    try:
        return Engine.load(settings.kb_dir, settings.prompts_dir, max_chars=settings.max_question_chars, **options)
    except (KnowledgeBaseError, PromptError) as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(1) from exc


def cmd_ask(args, settings: Settings) -> int:
    from bot.render.json import answer_to_dict
    from bot.render.text import render_text

    engine = _load_engine(settings)
    questions = sys.stdin if args.question == "-" else [args.question]
    for line in questions:
        question = line.rstrip("\n") if args.question == "-" else line
        if args.question == "-" and not question.strip():
            continue
        answer = engine.ask(question)
        if args.json:
            print(json.dumps(answer_to_dict(answer), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer, engine.prompts))
    return 0


def cmd_chat(args, settings: Settings) -> int:
    from bot.render.text import render_text

    engine = _load_engine(settings)
    print(engine.prompts.render("help"))
    previous: str | None = None
    while True:
        try:
            question = input("\nask> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        command = question.strip().lower()
        if command in {"quit", "exit", ":q"}:
            return 0
        if command in {"help", "?"}:
            print(engine.prompts.render("help"))
            continue
        answer = engine.ask(question, context=previous)
        print(render_text(answer, engine.prompts))
        if answer.answered:
            previous = question


def cmd_kb(args, settings: Settings) -> int:
    from bot.engine import registry, validate

    kb, problems = validate(settings.kb_dir)
    if args.kb_command == "check":
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"kb check: {len(problems)} problem(s) in {len(kb.files)} file(s)", file=sys.stderr)
            return 1
        from bot.render.pictures.commands import layout_check

        unreadable = layout_check(kb)
        for problem in unreadable:
            print(problem, file=sys.stderr)
        if unreadable:
            print(f"kb check: {len(unreadable)} picture problem(s)", file=sys.stderr)
            return 1
        print(f"kb check: OK: {len(kb.entries)} entries ({len(kb.ladders)} ladders, {len(kb.series)} series), "
              f"{len(kb.sources)} sources, {len(kb.files)} files; every picture lays out")
        return 0
    # stats
    today = date.today()
    stale = sorted(e.id for e in kb.entries.values() if e.last_reviewed and e.last_reviewed < today - timedelta(days=365))
    no_quote = sorted(e.id for e in kb.entries.values() if not any(x.quote for x in e.excerpts))
    areas = Counter(e.area for e in kb.entries.values())
    print(f"entries: {len(kb.entries)} (ladders {len(kb.ladders)}); sources: {len(kb.sources)}; files: {len(kb.files)}")
    print("entries per area:")
    for area, count in sorted(areas.items()):
        print(f"  {area:20} {count}")
    print(f"last reviewed more than 12 months ago: {len(stale)}")
    for ident in stale:
        print(f"  {ident}")
    print(f"entries without a verbatim quote: {len(no_quote)}")
    if args.verbose:
        for ident in no_quote:
            print(f"  {ident}")
    overdue = registry.overdue(kb.values, today)
    print(f"registry values: {len(kb.values)}; past their review interval: {len(overdue)}")
    for value in overdue:
        print(f"  {value.id}: as of {value.as_of.isoformat()}, review was due {value.review_due().isoformat()} "
              f"(every {value.review_every} days)")
    if problems:
        print(f"warning: {len(problems)} validation problem(s); run `kb check`", file=sys.stderr)
    return 1 if problems else 0


def cmd_eval(args, settings: Settings) -> int:
    from bot.engine.evaluate import evaluate, load_questions, question_files, set_hash

    eval_dir = PROJECT_ROOT / "tests" / "eval"
    if args.tune or args.cv:
        from bot.engine.judge import Judge

        engine = _load_engine(settings, judge=Judge.untrained())  # the saved judge may be for other features
    else:
        engine = _load_engine(settings)
    if args.tune:
        from bot.engine.train import fit_judge

        # Fitted on the development set only: the frozen test set is never seen by tuning.
        judge = fit_judge(engine, load_questions([eval_dir / "dev"]))
        judge.save()
        print(f"judge fitted on tests/eval/dev and saved (answer threshold {judge.threshold:.2f}); "
              f"{sum(map(len, judge.learned_questions.values()))} learned questions for {len(judge.learned_questions)} entries")
        engine = _load_engine(settings)
    if args.cv:
        from bot.engine.crossval import FOLDS, cross_validate, leave_one_writer_out
        from bot.engine.train import fit_judge

        dev = load_questions([eval_dir / "dev"])
        report = cross_validate(engine, dev, fit_judge)
        print(f"== dev, {FOLDS}-fold cross-validation (each question answered by models fitted without it)")
        for line in report.lines():
            print(line)
        held, answers = leave_one_writer_out(engine, dev, fit_judge)
        print("== dev's blind files, leave one writer out (each file answered by models fitted on the others)")
        for line in evaluate(engine, held, answers).lines():
            print(line)
        files_by_wording: dict[str, set[str]] = {}
        for q in dev:
            files_by_wording.setdefault(_wording(q.text), set()).add(q.file)
        alone = [i for i, q in enumerate(held) if files_by_wording[_wording(q.text)] == {q.file}]
        part = evaluate(engine, [held[i] for i in alone], [answers[i] for i in alone])
        print(f"  wording no other file has ({part.in_scope} in scope, {part.out_of_scope} out of scope): "
              + "; ".join(part.lines()[1:4]) + f"; ECE {part.ece:.3f}")
        return 0
    sets = [(Path(p).name, [Path(p)]) for p in args.files] or [("dev", [eval_dir / "dev"]), ("test", [eval_dir / "test"])]
    frozen = (eval_dir / "test").resolve()
    for name, paths in sets:
        questions = load_questions(paths)
        if not questions:
            continue
        report = evaluate(engine, questions)
        print(f"== {name} ({', '.join(str(p) for p in paths)}; hash {set_hash(paths)})")
        for line in report.lines():
            print(line)
        if args.baseline:
            from bot.engine.baseline import baseline_metrics

            base = baseline_metrics(engine.kb, questions)
            print(f"plain rank-bm25 with curated questions: hit@1 {base['hit1']:.3f}  hit@3 {base['hit3']:.3f}  "
                  f"MRR {base['mrr']:.3f}")
        files = question_files(paths)
        if name == "test" and not args.files:
            # Writers converge on common questions ("what is ilo convention 29"): those asked word for word in dev are
            # learned questions, so the figures on the rest say how the engine does on wording it has never seen.
            seen = {_wording(q.text) for q in load_questions([eval_dir / "dev"])}
            unseen = [q for q in questions if _wording(q.text) not in seen]
            part = evaluate(engine, unseen)
            print(f"  wording not in dev ({part.in_scope} in scope, {part.out_of_scope} out of scope): "
                  + "; ".join(part.lines()[1:4]) + f"; ECE {part.ece:.3f}")
        if len(files) > 1 and any(frozen in f.resolve().parents for f in files):
            for file in files:  # each frozen set's own figures (written by different writers)
                part = evaluate(engine, load_questions([file]))
                print(f"  {file.name} (hash {set_hash([file])}): " + "; ".join(part.lines()[1:4]))
        # Failures are listed for the development set only: reading the test set's misses is how one tunes on it.
        if not any(frozen == f.resolve() or frozen in f.resolve().parents for f in files):
            print(f"failures ({len(report.failures)}):")
            for failure in report.failures[: None if args.verbose else 40]:
                print(f"  {failure}")
    return 0


def _wording(text: str) -> str:
    return " ".join(text.casefold().split())


def cmd_bench(args, settings: Settings) -> int:
    if args.pictures:
        from bot.render.pictures.commands import bench

        bench(_load_engine(settings).kb)
        return 0
    if args.discord:
        from bot.discord_app.bench import main as discord_bench

        return discord_bench(["--n", str(args.n), "--users", str(args.users), "--think", str(args.think),
                              "--runs", str(args.runs), "--escalation-share", str(args.escalation_share)])
    from bot.engine.bench import run_bench

    run_bench(settings, quick=args.quick)
    return 0


def cmd_render(args, settings: Settings) -> int:
    from bot.render.pictures.commands import render

    if args.what in ("ladder", "chart") and not args.id:
        print(f"render {args.what}: give the {args.what}'s id", file=sys.stderr)
        return 2
    return render(_load_engine(settings).kb, args.what, args.id, args.area, Path(args.out))


def cmd_run(args, settings: Settings) -> int:
    if not settings.discord_token:
        print("DISCORD_TOKEN is not set: starting the terminal chat instead of the Discord bot.\n")
        return cmd_chat(args, settings)
    from bot.discord_app.runner import run_bot

    return run_bot(settings)


def cmd_sync(args, settings: Settings) -> int:
    from bot.discord_app.runner import sync_commands

    return sync_commands(settings, guild_id=args.guild)


def cmd_db(args, settings: Settings) -> int:
    import asyncio

    from bot.storage.transfer import EXPECTED_ERRORS, export_to, import_from

    try:
        if args.db_command == "export":
            asyncio.run(export_to(settings, args.file))
            if args.file != "-":
                print(f"exported to {args.file}", file=sys.stderr)
        else:
            report = asyncio.run(import_from(settings, args.file))
            print(report.summary(), file=sys.stderr)
    except EXPECTED_ERRORS as exc:
        print(f"db {args.db_command}: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the Discord bot (or the terminal chat without DISCORD_TOKEN)")
    sub.add_parser("chat", help="interactive terminal session")
    ask = sub.add_parser("ask", help="answer one question ('-' reads one question per line from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    kb = sub.add_parser("kb", help="knowledge base tools")
    kb.add_argument("kb_command", choices=["check", "stats"])
    kb.add_argument("-v", "--verbose", action="store_true")
    ev = sub.add_parser("eval", help="evaluate retrieval and abstention on a question set")
    ev.add_argument("files", nargs="*", help="YAML question files or folders (default tests/eval)")
    ev.add_argument("--cv", action="store_true", help="cross-validate the judge and ranker on tests/eval/dev")
    ev.add_argument("--tune", action="store_true", help="fit the abstention judge on tests/eval/dev and save it")
    ev.add_argument("--baseline", action="store_true", help="also score plain rank-bm25 over whole entries")
    ev.add_argument("-v", "--verbose", action="store_true", help="list every failure")
    bench = sub.add_parser("bench", help="index build and query latency versus rank-bm25")
    bench.add_argument("--quick", action="store_true", help="smaller corpora, under 30 seconds")
    bench.add_argument("--discord", action="store_true",
                       help="/ask interactions through the local Discord emulator instead (see --n, --users, --think)")
    bench.add_argument("--n", type=int, default=1000, help="with --discord: interactions in total")
    bench.add_argument("--users", type=int, default=50, help="with --discord: concurrent simulated users")
    bench.add_argument("--think", type=float, default=0.0, help="with --discord: mean pause between questions, s")
    bench.add_argument("--runs", type=int, default=1, help="with --discord: repeat, then print the median and range")
    bench.add_argument("--escalation-share", type=float, default=0.0,
                       help="with --discord: share of interactions that are /escalation (ladder diagrams), e.g. 0.1")
    bench.add_argument("--pictures", action="store_true", help="time drawing every picture (first draw and cached)")
    render = sub.add_parser("render", help="draw a ladder, timeline or chart picture to a PNG file (or all into a folder)")
    render.add_argument("what", choices=["ladder", "timeline", "chart", "all"])
    render.add_argument("id", nargs="?", help="the ladder or series id")
    render.add_argument("--area", choices=["us", "ilo", "un", "eu-other"], help="timeline: only one area")
    render.add_argument("--out", required=True, help="output PNG file (a folder for `render all`)")
    sync = sub.add_parser("sync", help="register slash commands with Discord (rate-limited: run on changes only)")
    sync.add_argument("--guild", type=int, default=None, help="sync to one guild (instant) instead of globally")
    db = sub.add_parser("db", help="export or import the bot's database as JSON (DATABASE_URL or DATA_DIR picks it)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_export = db_sub.add_parser("export", help="write guild config, explainers, feedback and unanswered log as JSON")
    db_export.add_argument("file", nargs="?", default="-", help="output file (default '-': standard output)")
    db_import = db_sub.add_parser("import", help="merge an export into the database (re-importing adds nothing)")
    db_import.add_argument("file", help="an export file ('-': standard input)")
    return parser


COMMANDS = {"run": cmd_run, "chat": cmd_chat, "ask": cmd_ask, "kb": cmd_kb, "eval": cmd_eval,
            "bench": cmd_bench, "render": cmd_render, "sync": cmd_sync, "db": cmd_db}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    command = args.command or "run"
    return COMMANDS[command](args, settings)
