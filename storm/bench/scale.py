"""How big the synthetic district-year is."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from collectors.errors import UserError


class BenchError(UserError):
    """The bench was asked for something it cannot do; the message says what to give instead."""


@dataclass(frozen=True)
class Scale:
    """Rows of each kind to generate: service-centre cases, complaints, procurement processes
    and office ledger rows. The generators draw volumes at random around these numbers, so the
    counts stored come close to them; the report gives the exact counts."""

    cases: int = 1_000_000
    complaints: int = 200_000
    tenders: int = 50_000
    ledger_rows: int = 20_000

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if value < 0:
                option = "--" + name.replace("_", "-")
                raise BenchError(f"{option} is {value}; give a number of rows, 0 or more")

    def as_json(self) -> dict[str, int]:
        return asdict(self)
