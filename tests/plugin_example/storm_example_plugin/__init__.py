"""A third-party storm plugin: notes from a JSON file, stored in a table of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Mapped

from collectors import CollectContext, Collector, Record, RecordKind, Setting, hookimpl
from collectors.collector import Yielded
from models.base import Base
from models.records import SourceRecord


class ExampleNote(SourceRecord, Base):
    __tablename__ = "example_notes"

    text: Mapped[str]


class ExampleNotes(Collector):
    """Notes kept in a JSON file.

    System: a JSON file holding a list of {"id": …, "text": …} objects.
    Settings: ``path``, the file.
    Caveats: none; it exists to show a plugin end to end.
    Format: a JSON array of objects.
    """

    name = "example_notes"
    title = "示例笔记"
    kinds = ("example_note",)
    settings = (Setting("path", str, "", "the JSON file", required=True),)

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        for note in json.loads(Path(context.settings["path"]).read_text(encoding="utf-8")):
            yield Record("example_note", {"external_id": str(note["id"]), "text": note["text"]})


@hookimpl
def storm_collectors() -> list[type[Collector]]:
    return [ExampleNotes]


@hookimpl
def storm_record_kinds() -> list[RecordKind]:
    return [RecordKind("example_note", ExampleNote, "示例笔记")]
