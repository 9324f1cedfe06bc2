"""The plugin API: every hook a storm plugin can implement.

A plugin is a module (or object) with functions decorated by ``collectors.hookimpl`` and
named after the hooks below. It is found through the entry-point group ``storm.plugins``
in the plugin package's ``pyproject.toml``::

    [project.entry-points."storm.plugins"]
    my_source = "my_package.my_source"

The built-in sources are registered the same way. Hooks are called with keyword
arguments, so an implementation may accept only the arguments it needs. Every hook here
returns a list; storm gathers the lists of all plugins. See ``docs/plugins.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collectors.alerts import AlertRule
    from collectors.collector import Collector
    from collectors.demo import DemoContext, DemoFiles, DemoSource
    from collectors.headlines import Headline
    from collectors.registry import IndicatorSpec, Notifier, RecordKind, UnitPanel
    from collectors.templates import UploadTemplate

hookspec = pluggy.HookspecMarker("storm")


# --- Collecting ------------------------------------------------------------------------


@hookspec
def storm_collectors() -> list[type[Collector]]:
    """Declare collectors.

    Return a list of :class:`collectors.Collector` subclasses. Each sets ``name`` (unique,
    used in storm.toml as ``[collectors.NAME]`` and by ``storm collect NAME``), ``title``
    (shown on the dashboard), ``kinds`` (the record kinds it yields), ``every_minutes``
    (its default schedule) and ``settings`` (a tuple of :class:`collectors.Setting`), and
    implements ``collect(context)``, a generator of :class:`collectors.Record`,
    :class:`collectors.Checkpoint` and :class:`collectors.Rejected`.

    A collector never opens a database session: the runner validates what it yields,
    upserts records on ``(source, external_id)``, and stores the cursor of each
    checkpoint in the same transaction as the records yielded before it.

    Dispatch: every plugin's list is gathered; two collectors with one name are an error.
    """


@hookspec
def storm_record_kinds() -> list[RecordKind]:
    """Declare the record kinds (tables) a plugin's collectors fill.

    Return a list of :class:`collectors.RecordKind` ``(name, model, title)``, where
    ``model`` is a SQLAlchemy model on ``models.base.Base`` that mixes in
    ``models.records.SourceRecord`` (giving ``source``, ``external_id`` and
    ``content_hash``). ``storm init`` creates the tables of third-party kinds.

    Dispatch: every plugin's list is gathered; two kinds with one name are an error.
    """


# --- Uploads ---------------------------------------------------------------------------


@hookspec
def storm_upload_templates() -> list[UploadTemplate]:
    """Declare the ledgers offices upload as CSV or XLSX files.

    Return a list of :class:`collectors.UploadTemplate` ``(id, title, columns, …)``, each
    column a :class:`collectors.Column` ``(field, header, type, required, choices, min,
    max, help)``. From a declaration storm makes the table the rows land in
    (``ledger_<id>``: ``upload_id``, ``unit_code``, ``row_no`` and one typed column per
    field), the blank CSV and XLSX offices download, and the validation every upload
    goes through (the page, ``storm upload`` and files a collector yields as
    :class:`collectors.FileUpload`). A file with any problem stores nothing; a good file
    replaces the unit's rows of the same period.

    Dispatch: every plugin's list is gathered; two templates with one id are an error.
    """


# --- Indicators ------------------------------------------------------------------------


@hookspec
def storm_indicators() -> list[IndicatorSpec]:
    """Provide indicator computations.

    Return a list of :class:`collectors.IndicatorSpec`. Its ``measure`` (a
    :class:`models.indicators.Measure`: a SQL row query and how to aggregate it) computes
    the indicator overall, by unit and by month; ``sources`` names the collectors whose
    data it uses, so the dashboard can say how fresh it is. For an indicator the campaign
    file declares (same ``id``), the campaign's name, task, target and direction are used;
    a new indicator must give them itself.

    Dispatch: every plugin's list is gathered; a later plugin's spec for the same id wins.
    """


# --- Dashboard -------------------------------------------------------------------------


@hookspec
def storm_unit_panels() -> list[UnitPanel]:
    """Add tables to the units page (单位).

    Return a list of :class:`collectors.UnitPanel` ``(key, title, rows)``. ``rows(session,
    scope, personal)`` reads the store over ``scope`` (the campaign period) and returns
    the table as dicts of column header → value, in display order. It gets
    ``personal=True`` only for roles that may see names of people; otherwise it must leave
    them out. The dashboard shows each panel under its title, in registration order.

    Dispatch: every plugin's list is gathered; two panels with one key are an error.
    """


@hookspec
def storm_headlines() -> list[Headline]:
    """Add headline numbers to the overview and the display screen (核心数据).

    Return a list of :class:`collectors.Headline` ``(key, title, source, figure)``.
    ``figure(session, watch)`` returns a :class:`collectors.Figure` (value, unit, and a
    target, direction and note where they apply): wrap a campaign indicator with
    ``collectors.indicator_figure("T04.on_time_rate")``, or count in the store over
    ``watch.scope`` at ``watch.now``. ``source`` names the collector whose data it is,
    for the "data as of" line. The display screen shows headlines in a public hall: a
    figure is an aggregate, never a name, phone number or complaint text.

    Dispatch: every plugin's list is gathered in registration order; two headlines with
    one key are an error.
    """


@hookspec
def storm_alert_rules() -> list[AlertRule]:
    """Add kinds of alert (预警) to the alerts list of the overview and the display screen.

    Return a list of :class:`collectors.AlertRule` ``(key, title, alerts)``.
    ``alerts(session, watch)`` returns the rule's current :class:`collectors.Alert` s:
    ``Level.RED`` for what is already late (a case past its due time, a complaint past
    its deadline), ``Level.YELLOW`` for what soon will be (due within one working day:
    ``watch.end_of_next_workday()``), each with the moment it arose (the list is newest
    first), the collector it comes from and the unit's name. Alerts are aggregates (one
    per unit and kind, with a count) and carry no personal data: they are shown on the
    display screen too. The campaign's own alerts (an indicator 未达标, a collector that
    failed or went stale) need no rule.

    Dispatch: every plugin's list is gathered in registration order; two rules with one
    key are an error.
    """


# --- Notifications ---------------------------------------------------------------------


@hookspec
def storm_notifiers() -> list[Notifier]:
    """Add a notification channel beside the ones ``apprise`` speaks (钉钉, 企业微信, e-mail, JSON webhooks…).

    Return a list of :class:`collectors.Notifier` ``(scheme, send)``. A route in storm.toml's
    ``[notify]`` whose URL starts with ``scheme://`` is then delivered by
    ``send(body, title, notify_type, attach, meta)`` (the signature of an apprise custom
    notification): ``meta["url"]`` is the route's URL with its credentials, ``attach`` the
    files sent with the message (a bulletin's DOCX) or None. Return True when the message was
    delivered; False or an exception counts as a failure, retried later with back-off. A
    message carries no personal data of complainants and links to the order or alert.

    Dispatch: every plugin's list is gathered; two channels with one scheme are an error.
    """


# --- Demo ------------------------------------------------------------------------------


@hookspec
def storm_demo_sources(context: DemoContext) -> list[DemoSource | DemoFiles]:
    """Provide demo sources for ``storm demo`` and ``storm demo-sources``.

    ``context`` holds the campaign's units, its year, its first day and the random seed.
    Return a list of :class:`collectors.DemoSource` ``(name, mount, handler, collector)``:
    ``handler`` answers requests under the path ``mount`` of the local demo server, and the
    collector named ``collector`` is pointed at it (its ``url`` setting is the mount's
    address). For a collector that reads files, return a :class:`collectors.DemoFiles`
    ``(name, folder, files, collector, setting)`` instead: the demo writes what ``files()``
    makes (file name → bytes) into the folder ``folder`` beside the store and sets the
    collector's setting ``setting`` to that folder.

    Dispatch: every plugin's list is gathered.
    """


def hook_names() -> list[str]:
    """Names of every hook declared here."""
    return [name for name, value in globals().items() if name.startswith("storm_") and callable(value)]


__all__: list[Any] = ["hookspec", "hook_names"]
