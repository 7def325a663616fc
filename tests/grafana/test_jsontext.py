"""The fast dashboard writer and the object-reading sanitizer agree with ``json`` itself (the oracle)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from grafanalib import core as g
from grafanalib._gen import DashboardEncoder
from hypothesis import given, settings
from hypothesis import strategies as st

from guardiangen.render.dashboards.jsontext import CACHED_DEPTH, dumps
from guardiangen.render.dashboards.sanitize import sanitize


def oracle(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


# Few distinct keys and values, so repeated subtrees (the writer's cache) and threshold-step-like
# dicts ({"color": ..., "value": null}) come up often.
KEYS = st.sampled_from(["a", "b", "color", "value", "Zé", 'é\n"', "\x00", "\U0001f600", "10", "2", ""])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 0.0, -0.0, 1.0, 1e-9, 1e300, "", "x", "${datasource}"])
    | st.text()
)
JSON_DATA = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=40,
)
# What the writer must hand back to json.dumps: non-string keys, tuples, subclasses of JSON types.
ODD_SCALARS = SCALARS | st.sampled_from([True, False]).map(lambda b: type("B", (int,), {})(b))
ODD_DATA = st.recursive(
    ODD_SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(KEYS | st.integers(0, 3) | st.sampled_from([None, True, 1.5]), children, max_size=3)
    ),
    max_leaves=20,
)


def nested(value: Any, depth: int) -> Any:
    """``value`` ``depth`` levels down, where the writer caches."""
    for i in range(depth):
        value = [value, value] if i % 2 else {"k": value, "j": value}
    return value


@settings(max_examples=400, deadline=None)
@given(JSON_DATA)
def test_dumps_is_json_dumps(value: Any) -> None:
    assert dumps(value) == oracle(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(JSON_DATA, min_size=1, max_size=4), st.integers(0, CACHED_DEPTH + 2))
def test_cached_containers_are_reindented_exactly(values: list[Any], depth: int) -> None:
    cache: dict[str, str] = {}  # shared by every call, as a caller writing many dashboards may do
    for value in values:
        document = nested({"panels": [value, {"x": value}, value]}, depth)
        assert dumps(document, cache) == oracle(document)


@settings(max_examples=300, deadline=None)
@given(ODD_DATA)
def test_unusual_values_get_jsons_own_text_or_error(value: Any) -> None:
    try:
        expected = oracle(value)
    except (TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            dumps(value)
    else:
        assert dumps(value) == expected


def test_values_that_are_not_json_raise_like_json() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"a": [object()]})


# ------------------------------------------------------------------------ sanitize on objects


@settings(max_examples=300, deadline=None)
@given(ODD_DATA.filter(lambda v: isinstance(v, (dict, list, tuple))))
def test_sanitize_reads_data_as_its_json_round_trip(value: Any) -> None:
    document = {"panels": [{"type": "timeseries", "fieldConfig": {"defaults": value}}], "tags": value}
    try:
        expected = sanitize(json.loads(json.dumps(document)))
    except Exception as error:  # e.g. "defaults" that is not a dict: the sanitizer's own limits
        with pytest.raises(type(error)):
            sanitize(document)
    else:
        assert same(sanitize(document), expected)


def same(a: Any, b: Any) -> bool:
    """``a == b``, except that NaN equals NaN: the JSON round trip makes a new NaN, and NaN != NaN."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if type(a) is type(b) and isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is type(b) and isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_same_is_equality_with_nan_equal_to_itself() -> None:
    nan = float("nan")
    assert same({"a": [nan, 1]}, {"a": [float("nan"), 1]})
    assert not same({"a": [nan, 1]}, {"a": [nan, 2]})
    assert not same({"a": nan}, {"b": nan})
    assert not same([nan], (nan,))


def test_sanitize_reads_grafanalib_objects_as_dashboard_encoder_writes_them() -> None:
    ds = {"type": "prometheus", "uid": "${datasource}"}
    target = g.Target(expr="up", refId="A", datasource=ds)
    ts = g.TimeSeries(title="ts", dataSource=ds, targets=[target], extraJson={"fieldConfig": {"defaults": {"x": (1,)}}})
    dashboard = g.Dashboard(
        title="t",
        uid="u",
        templating=g.Templating(list=[g.Template(name="job", query="label_values(up, job)", dataSource=ds)]),
        panels=[
            g.RowPanel(title="row", id=1, gridPos=g.GridPos(h=1, w=24, x=0, y=0), collapsed=True, panels=[ts]),
            {**ts.to_json_data(), "id": 3, "gridPos": {"h": 8, "w": 12, "x": 0, "y": 1}},
            g.Stat(title="stat", id=4, dataSource=ds, targets=[target], thresholds=[{"color": "green", "value": None}]),
        ],
    )
    round_tripped = json.loads(json.dumps(dashboard.to_json_data(), cls=DashboardEncoder))
    assert sanitize(dashboard.to_json_data()) == sanitize(round_tripped)
    assert dumps(sanitize(dashboard.to_json_data())) == oracle(sanitize(round_tripped))
