#!/usr/bin/env python3
"""Rebuild index/ from knowledge/: `python scripts/build_index.py [--knowledge DIR] [--index DIR]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.errors import BotError


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(description="Lập lại chỉ mục tìm kiếm từ thư mục tài liệu.")
    parser.add_argument("--knowledge", type=Path, default=settings.knowledge_dir)
    parser.add_argument("--index", type=Path, default=settings.index_dir)
    parser.add_argument("--model", default=settings.embedding_model)
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help="chỉ lập lại khi tài liệu hoặc mô hình đã đổi (vẫn chuẩn bị mô hình)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        from bot.answering.loading import quiet_model_libraries
        from bot.documents.loader import discover
        from bot.retrieval.embedder import Embedder

        quiet_model_libraries()
        from bot.retrieval.index_build import build_index

        files = discover(args.knowledge)  # fail fast on an empty folder, before loading the model
        print(f"Tài liệu trong {args.knowledge}: {', '.join(p.name for p in files)}")
        print(f"Nạp mô hình nhúng {args.model} …", flush=True)
        embedder = Embedder(args.model, settings.models_dir, settings.torch_threads)
        print(f"  xong sau {embedder.load_seconds:.1f} s (dấu vân tay {embedder.fingerprint[:16]})")
        if args.if_stale and _up_to_date(args.index, args.knowledge, embedder):
            print(f"Chỉ mục {args.index}/ đã khớp với tài liệu và mô hình: không cần lập lại.")
            return 0
        index = build_index(args.knowledge, embedder, _progress)
        index.manifest["build_seconds"] = round(time.perf_counter() - started, 2)
        index.save(args.index)
    except BotError as exc:
        print(f"\nLỗi: {exc}", file=sys.stderr)
        return 1
    print()
    for doc in index.manifest["documents"]:
        print(
            f"  {doc['short_name']:<28} {doc['source']:<24} {doc['sections']:>4} mục "
            f"{doc['units']:>5} câu {doc['passages']:>4} đoạn"
        )
    counts = index.manifest["counts"]
    print(
        f"Đã ghi {args.index}/: {counts['documents']} tài liệu, {counts['units']} câu, "
        f"{counts['passages']} đoạn; phiên bản {index.manifest['version']}; "
        f"{time.perf_counter() - started:.1f} s."
    )
    return 0


def _up_to_date(index_dir: Path, knowledge: Path, embedder) -> bool:
    import json

    from bot.retrieval.index import FORMAT_VERSION
    from bot.retrieval.index_build import builder_fingerprint, knowledge_changes

    manifest_path = index_dir / "manifest.json"
    if not manifest_path.is_file():
        return False
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return (
        manifest.get("format") == FORMAT_VERSION
        and manifest.get("builder") == builder_fingerprint()
        and manifest.get("model", {}).get("fingerprint") == embedder.fingerprint
        and not knowledge_changes(knowledge, manifest)
    )


def _progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    end = "\n" if done >= total else ""
    print(
        f"\r  {stage:<14} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
        end=end,
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
