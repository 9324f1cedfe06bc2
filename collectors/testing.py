"""Contract checks a plugin can run against its own collectors (storm runs them over its own).

Use in a plugin's tests::

    from collectors.testing import declaration_problems

    def test_my_collector_keeps_the_contract():
        assert declaration_problems(MyCollector) == []
"""

from __future__ import annotations

import inspect
import re

from collectors.collector import COMMON_SETTINGS, Collector

DOC_HEADINGS = ("System:", "Settings:", "Caveats:", "Format:")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def declaration_problems(collector: type[Collector]) -> list[str]:
    """What is wrong with a collector's declaration; empty when it keeps the contract."""
    problems = []
    name = getattr(collector, "name", None)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.append(f"name {name!r} must be lowercase letters, digits and underscores")
    if not getattr(collector, "title", None):
        problems.append("title (shown on the dashboard) is missing")
    if not getattr(collector, "kinds", None):
        problems.append("kinds (the record kinds it yields) is empty")
    if not isinstance(collector.every_minutes, int) or collector.every_minutes < 1:
        problems.append("every_minutes must be a whole number of minutes ≥ 1")
    if collector.collect is Collector.collect:
        problems.append("collect(context) is not implemented")
    doc = inspect.getdoc(collector) or ""
    for heading in DOC_HEADINGS:
        if not re.search(rf"^{heading}", doc, re.MULTILINE):
            problems.append(f"the docstring has no line starting with '{heading}'")
    common = {setting.name for setting in COMMON_SETTINGS}
    for setting in collector.settings:
        if setting.name in common:
            problems.append(f"setting '{setting.name}' is already one of the common settings")
        if setting.name not in doc:
            problems.append(f"the docstring does not mention the setting '{setting.name}'")
        if not setting.help:
            problems.append(f"setting '{setting.name}' has no help text")
        if setting.default is not None and not isinstance(setting.default, setting.type):
            problems.append(f"setting '{setting.name}' default is not a {setting.type.__name__}")
    return problems
