"""The committed Grafana dashboard schema: loadable, reproducible, and strict where we rely on it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft7Validator
from schema_check import SCHEMA_PATH, load_schema, schema_errors

SCHEMA_DIR = SCHEMA_PATH.parent
Mutation = Callable[[dict[str, Any]], None]


def test_schema_is_a_valid_draft07_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    assert schema["$ref"] == "#/definitions/Dashboard"


def test_schema_file_is_deterministically_formatted() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_provenance_names_the_pinned_versions() -> None:
    script = (SCHEMA_DIR / "regenerate.sh").read_text(encoding="utf-8")
    provenance = (SCHEMA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    pins = dict(re.findall(r'^([A-Z_]+_VERSION)="([^"]+)"$', script, re.MULTILINE))
    assert set(pins) == {"GRAFANA_SCHEMA_VERSION", "TS_JSON_SCHEMA_GENERATOR_VERSION", "TYPESCRIPT_VERSION"}
    for package, key in [
        ("@grafana/schema", "GRAFANA_SCHEMA_VERSION"),
        ("ts-json-schema-generator", "TS_JSON_SCHEMA_GENERATOR_VERSION"),
        ("typescript", "TYPESCRIPT_VERSION"),
    ]:
        assert f"`{package}@{pins[key]}`" in provenance


def test_sane_modern_dashboard_validates(dashboard: dict[str, Any]) -> None:
    # The same fixture is lint-clean (test_dashboard_lint.py): schema and linter agree on "good".
    assert schema_errors(dashboard) == []


def test_minimal_dashboard_validates() -> None:
    assert schema_errors({"schemaVersion": 39}) == []


def _first_panel(d: dict[str, Any]) -> dict[str, Any]:
    panel: dict[str, Any] = d["panels"][1]
    return panel


REJECTED: list[tuple[str, Mutation, list[str]]] = [
    (
        "unknown-top-level-key",
        lambda d: d.update(rows=[]),
        ["(root): Additional properties are not allowed ('rows' was unexpected)"],
    ),
    ("null-for-a-string", lambda d: d.update(refresh=None), ["refresh: None is not of type 'string'"]),
    (
        "schema-version-missing",
        lambda d: d.pop("schemaVersion"),
        ["(root): 'schemaVersion' is a required property"],
    ),
    (
        "schema-version-as-string",
        lambda d: d.update(schemaVersion="39"),
        ["schemaVersion: '39' is not of type 'number'"],
    ),
    (
        "unknown-panel-key",
        lambda d: _first_panel(d).update(span=6),
        ["panels/1: Additional properties are not allowed ('span' was unexpected)"],
    ),
    (
        "datasource-as-name-string",
        lambda d: _first_panel(d).update(datasource="Prometheus"),
        ["panels/1/datasource: 'Prometheus' is not of type 'object'"],
    ),
    (
        "field-config-without-overrides",
        lambda d: _first_panel(d)["fieldConfig"].pop("overrides"),
        ["panels/1/fieldConfig: 'overrides' is a required property"],
    ),
    (
        "threshold-base-as-string-null",
        lambda d: _first_panel(d)["fieldConfig"]["defaults"].update(
            thresholds={"mode": "absolute", "steps": [{"color": "green", "value": "null"}]}
        ),
        ["panels/1/fieldConfig/defaults/thresholds/steps/0/value: 'null' is not of type 'number', 'null'"],
    ),
    (
        "row-with-targets",
        lambda d: d["panels"][0].update(targets=[]),
        ["panels/0: Additional properties are not allowed ('targets' was unexpected)"],
    ),
    (
        "gridpos-without-y",
        lambda d: _first_panel(d)["gridPos"].pop("y"),
        ["panels/1/gridPos: 'y' is a required property"],
    ),
    (
        "variable-refresh-out-of-enum",
        lambda d: d["templating"]["list"][1].update(refresh=5),
        ["templating/list/1/refresh: 5 is not one of [0, 1, 2]"],
    ),
    ("time-without-to", lambda d: d["time"].pop("to"), ["time: 'to' is a required property"]),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=i) for i, m, e in REJECTED])
def test_schema_rejects(dashboard: dict[str, Any], mutate: Mutation, expected: list[str]) -> None:
    mutate(dashboard)
    assert schema_errors(dashboard) == expected


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.update(uid="not a valid uid!"), id="uid-format"),
        pytest.param(lambda d: _first_panel(d)["gridPos"].update(x=-5, w=40), id="gridpos-values"),
        pytest.param(lambda d: _first_panel(d).update(type="no-such-panel"), id="panel-type"),
        pytest.param(lambda d: _first_panel(d)["options"].update(anything={"goes": None}), id="panel-options"),
        pytest.param(lambda d: _first_panel(d)["targets"][0].update(anything=None), id="target-keys"),
        pytest.param(lambda d: d.update(id=None), id="null-id"),
    ],
)
def test_schema_does_not_check(dashboard: dict[str, Any], mutate: Mutation) -> None:
    # Gaps the linter (guardiangen.lint.dashboards) or nobody covers; see PROVENANCE.md.
    mutate(dashboard)
    assert schema_errors(dashboard) == []


def test_raw_grafanalib_output_is_rejected() -> None:
    core = pytest.importorskip("grafanalib.core")
    gen = pytest.importorskip("grafanalib._gen")
    built = core.Dashboard(
        title="Legacy",
        uid="legacy",
        panels=[
            core.TimeSeries(
                title="t",
                dataSource="${datasource}",
                targets=[core.Target(expr="up", refId="A")],
                gridPos=core.GridPos(h=8, w=12, x=0, y=0),
                unit="s",
            )
        ],
    )
    raw = json.loads(json.dumps(built.to_json_data(), cls=gen.DashboardEncoder))
    errors = schema_errors(raw)
    assert (
        "(root): Additional properties are not allowed "
        "('__inputs', 'hideControls', 'rows', 'sharedCrosshair', 'style' were unexpected)"
    ) in errors
    assert "gnetId: None is not of type 'number'" in errors
    assert "panels/0/datasource: '${datasource}' is not of type 'object'" in errors
    assert any(e.startswith("panels/0: Additional properties are not allowed") for e in errors)


def test_schema_regenerates_byte_identical() -> None:
    """The committed schema is exactly what the pinned npm packages generate (needs npm and its registry)."""
    assert shutil.which("npm") is not None, "npm is needed to check the schema's provenance"
    result = subprocess.run(
        ["bash", str(SCHEMA_DIR / "regenerate.sh"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
