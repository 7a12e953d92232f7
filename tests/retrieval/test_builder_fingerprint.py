"""An index is stale when anything it was read with changes: the builder's code and the
word lists it reads text with (segmentation, shorthand, synonyms, the English glossary,
function words, framing phrases)."""

from __future__ import annotations

from pathlib import Path

from bot.retrieval import index_build

DATA = Path(index_build.__file__).resolve().parent.parent / "vietnamese" / "data"
NOT_READ_BY_THE_BUILDER = {"intents.tsv", "places_hanoi.txt"}  # handoff patterns, officer answers


def test_every_word_list_the_builder_reads_is_in_its_fingerprint():
    listed = {Path(name).name for name in index_build._BUILDER_DATA}
    on_disk = {p.name for p in DATA.iterdir() if p.is_file()}
    assert listed == on_disk - NOT_READ_BY_THE_BUILDER


def test_a_changed_word_list_changes_the_fingerprint(monkeypatch, tmp_path):
    before = index_build.builder_fingerprint()
    package = Path(index_build.__file__).resolve().parent.parent
    copy = tmp_path / "bot"
    for name in (*index_build._BUILDER_MODULES, *index_build._BUILDER_DATA):
        source = package / name
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for file in files:
            target = copy / file.relative_to(package)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    fake_module = copy / "retrieval" / "index_build.py"
    monkeypatch.setattr(index_build, "__file__", str(fake_module))
    assert index_build.builder_fingerprint() == before

    framing = copy / "vietnamese" / "data" / "framing.txt"
    framing.write_text(framing.read_text(encoding="utf-8") + "ở đâu\n", encoding="utf-8")
    assert index_build.builder_fingerprint() != before
