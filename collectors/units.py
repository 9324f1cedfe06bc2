"""The campaign's units as sources name them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.collector import UnitDirectory
from models.campaign import Unit


def unit_directory(session: Session) -> UnitDirectory:
    """Every name of every unit (code, name, short name, aliases) → its code."""
    names: dict[str, str] = {}
    for unit in session.scalars(select(Unit)):
        for name in (unit.code, unit.name, unit.short, *unit.aliases):
            names.setdefault(name, unit.code)
    return UnitDirectory(names)
