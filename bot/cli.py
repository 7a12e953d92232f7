"""Command line: `python -m bot ask "…" [--json]`, `ask --jsonl`, `chat`, `run`, `report`,
`login-link`, `giai-dap xuat|nhap` (officers' answers as JSONL)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from bot import logs
from bot.config import Settings
from bot.core.answer import Answer
from bot.core.commands import as_number
from bot.errors import BotError

EXIT_WORDS = {"thoat", "thoát", "exit", "quit", "q", ":q"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Hỏi đáp Nghị quyết 02-NQ/TW và Kế hoạch 57-KH/TU."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="trả lời một câu hỏi (hoặc nhiều câu qua --jsonl)")
    ask.add_argument("question", nargs="?", help="câu hỏi")
    ask.add_argument("--json", action="store_true", help="in một đối tượng JSON")
    ask.add_argument(
        "--jsonl", action="store_true", help='đọc {"id","question"} từng dòng từ stdin'
    )
    commands.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    commands.add_parser("run", help="chạy các kênh đã cấu hình (Telegram…) và máy chủ HTTP")
    report = commands.add_parser("report", help="báo cáo thông báo của một tháng theo đơn vị")
    report.add_argument("--month", help="YYYY-MM (mặc định: tháng này)")
    report.add_argument("--csv", action="store_true", help="in CSV cho báo cáo năm")
    login = commands.add_parser("login-link", help="liên kết đăng nhập trang cán bộ (một lần)")
    login.add_argument("actor", help="telegram:<id> của cán bộ hoặc quản trị")
    answers = commands.add_parser("giai-dap", help="xuất/nhập giải đáp của cán bộ (JSONL)")
    verbs = answers.add_subparsers(dest="verb", required=True)
    out = verbs.add_parser("xuat", help="xuất mọi giải đáp (mặc định ra stdout)")
    out.add_argument("file", nargs="?", help="tệp .jsonl để ghi")
    into = verbs.add_parser("nhap", help="nhập tệp JSONL (không giải đáp nào được duyệt)")
    into.add_argument("file", help="tệp .jsonl để đọc")
    into.add_argument("--nguoi", required=True, help="quản trị viên nhập, ví dụ telegram:1")
    args = parser.parse_args(argv)

    settings = Settings()
    logs.configure(settings.log_level)
    if args.command == "ask" and not args.jsonl and args.question is None:
        parser.error('cần câu hỏi, ví dụ: python -m bot ask "mục tiêu thu nhập năm 2045"')
    if args.command == "run":
        return run(settings)
    if args.command == "login-link":
        import asyncio

        from bot.console.signin import print_login_link

        return asyncio.run(print_login_link(settings, args.actor, sys.stdout))
    if args.command == "giai-dap":
        import asyncio

        from bot.broadcast.roster import Roster
        from bot.officer_answers.command import export_file, import_file

        if args.verb == "xuat":
            return asyncio.run(export_file(settings, args.file, sys.stdout))
        admins = Roster.parse(settings.officers, settings.admins).admins  # as the desk reads them
        return asyncio.run(import_file(settings, args.file, args.nguoi, admins, sys.stdout))
    if args.command == "report":
        import asyncio

        from bot.broadcast.report import print_report

        return asyncio.run(print_report(settings, args.month, args.csv, sys.stdout))
    try:
        from bot.answering.loading import load_engine

        engine = load_engine(settings, warn=_warn)
    except BotError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    import asyncio

    from bot.officer_answers.serving import serve_from_store

    asyncio.run(serve_from_store(settings.database_url, engine))
    if args.command == "chat":
        return chat(engine)
    if args.jsonl:
        return ask_jsonl(engine, sys.stdin, sys.stdout)
    answer = engine.answer(args.question)
    print(
        json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if args.json else render(answer)
    )
    return 0


def _warn(message: str, *args: object) -> None:
    print("Cảnh báo: " + (message % args if args else message), file=sys.stderr)


def render(answer: Answer) -> str:
    """Plain-text view for a terminal: the answer, then where each quote comes from."""
    lines = [answer.answer]
    if answer.citations:
        by_doc: dict[str, list[str]] = {}
        for c in answer.citations:
            if c.kind != "document":  # labelled in the answer itself
                continue
            name, _, place = c.label.partition(", ")
            by_doc.setdefault(name, [])
            if place not in by_doc[name]:
                by_doc[name].append(place)
        sources = [f"{name}, {', '.join(places)}" for name, places in by_doc.items()]
        if sources:
            lines.append("Nguồn: " + "; ".join(sources))
    return "\n".join(lines)


def run(settings: Settings) -> int:
    """The long-running bot: every configured channel on one HTTP server."""
    import asyncio

    from bot.app import serve

    try:
        if settings.engine_process:
            asyncio.run(serve(settings))  # the engine starts in its own process
        else:
            from bot.answering.loading import load_engine

            asyncio.run(serve(settings, load_engine(settings, warn=_warn)))
    except BotError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 0


def ask_jsonl(engine, lines: Iterable[str], out) -> int:
    """One JSON answer per input line; a bad line gets an error object, never a crash."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item_id = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("mỗi dòng phải là một đối tượng JSON")
            item_id = item.get("id")
            question = item.get("question")
            if not isinstance(question, str):
                raise ValueError('thiếu trường "question" kiểu chuỗi')
            result = engine.answer(question).to_dict(item_id)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            result = {"id": item_id, "error": f"dòng {number}: {exc}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 0


def chat(engine) -> int:
    names = ", ".join(d.document.meta.citation_name for d in engine.index.documents.values())
    print(f"Hỏi đáp về {names}. Gõ câu hỏi rồi Enter; gõ “thoát” hoặc Ctrl-D để kết thúc.\n")
    last: tuple[str, Answer] | None = None  # the last question and its answer
    while True:
        try:
            question = input("Bạn: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if question.strip().lower() in EXIT_WORDS:
            return 0
        # "2" after "Có phải bạn muốn hỏi về…" answers the last question from that section.
        number = as_number(question.strip()) or 0
        if last is not None and last[1].suggestions and 1 <= number <= len(last[1].suggestions):
            chosen = last[1].suggestions[number - 1]
            answer = engine.answer(last[0], (chosen.doc, chosen.section))
        else:
            answer = engine.answer(question)
            last = (question, answer)
        print("\nBot: " + render(answer).replace("\n", "\n     ") + "\n")
