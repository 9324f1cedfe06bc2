"""Every registered collector keeps the contract; every hook is documented and tested."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from collectors import hookspecs
from collectors.registry import load_registry
from collectors.testing import declaration_problems

REGISTRY = load_registry()


@pytest.mark.parametrize("name", sorted(REGISTRY.collectors))
def test_collector_declaration(name: str):
    assert declaration_problems(REGISTRY.collectors[name]) == []


@pytest.mark.parametrize("name", sorted(REGISTRY.collectors))
def test_collector_kinds_are_registered(name: str):
    assert set(REGISTRY.collectors[name].kinds) <= set(REGISTRY.record_kinds)


def test_the_contract_check_finds_faults():
    from collectors import Collector, Setting

    class Sloppy(Collector):
        """Reads something."""

        name = "Sloppy-Name"
        kinds = ()
        settings = (Setting("timeout", float, 1.0), Setting("url", str, 3))

    problems = " | ".join(declaration_problems(Sloppy))
    for fault in ("name 'Sloppy-Name'", "title", "kinds", "not implemented", "'Caveats:'",
                  "'timeout' is already", "default is not a str", "'url' has no help"):
        assert fault in problems


@pytest.mark.parametrize("hook", hookspecs.hook_names())
def test_hook_is_documented(hook: str):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc.splitlines()) >= 3, "a summary, what to return, and the dispatch rule"
    assert "Dispatch:" in doc


@pytest.mark.parametrize("hook", hookspecs.hook_names())
def test_hook_has_a_test(hook: str):
    tests = (Path(__file__).parent / "test_hooks.py").read_text(encoding="utf-8")
    assert re.search(rf"^def test_{hook}\b", tests, re.MULTILINE), f"tests/test_hooks.py has no test_{hook}"
