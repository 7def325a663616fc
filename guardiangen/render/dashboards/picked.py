"""What the specialist and guardian dashboards share: a variable picks some of them, every panel follows it.

Both show the chosen specialists (or guardians) in depth: the variable lists the values of their
identity label, every query selects ``label=~"$variable"`` and groups by that label, so each line
is one specialist (guardian) whatever the number of its instances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.render.dashboards.assemble import DashboardDef, Section
from guardiangen.render.dashboards.common import legend, quantiles
from guardiangen.render.dashboards.panels import Query, query_variable

Aggregate = Callable[..., q.Expr]
"""``q.sum_by``, ``q.max_by``...: an aggregation of an expression by labels."""


class Picked:
    """The specialists or guardians picked with the variable ``variable`` (values of ``label``)."""

    def __init__(self, catalog: Catalog, label: str, variable: str, variable_label: str, listed_by: str) -> None:
        """``listed_by``: the catalog metric whose ``label`` values the variable offers."""
        self.catalog = catalog
        self.label = label
        self.by = (label,)
        self.legend = legend(label)
        self.matcher = q.regex(label, "$" + variable)
        self._variable = query_variable(variable, variable_label, q.series(catalog, listed_by), label)

    def series(self, name: str) -> q.Series:
        """The catalog series ``name`` of the picked ones."""
        return q.series(self.catalog, name, self.matcher)

    def split(self, expr: q.Expr, label: str, aggregate: Aggregate = q.sum_by) -> Query:
        """``expr`` per picked one and value of ``label``, each line named after both."""
        return Query(aggregate(expr, *self.by, label), f"{self.legend} {legend(label)}")

    def quantiles(self, duration: q.Series) -> list[Query]:
        """p50 / p95 / p99 of a duration histogram, one line per picked one and quantile."""
        return quantiles(duration, self.by, self.legend)

    def dashboard(self, kind: str, description: str, sections: Sequence[Section]) -> DashboardDef:
        """The dashboard of kind ``kind`` with this variable after ``$datasource``."""
        return DashboardDef(kind=kind, description=description, variables=(self._variable,), sections=sections)
