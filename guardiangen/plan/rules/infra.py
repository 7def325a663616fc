"""Node (node_exporter) and PostgreSQL (postgres_exporter) rules.

Node alerts judge each ``instance`` against the spec's cluster-wide thresholds, so one rule covers
every node. PostgreSQL rules exist only when ``spec.postgres`` is set; the mean statement time
comes from the stat_statements counters (seconds over calls), since postgres_exporter has no
latency histogram.
"""

from __future__ import annotations

from decimal import Decimal

from guardiangen import promql as q
from guardiangen.catalog import Catalog
from guardiangen.plan.cluster import cluster_of
from guardiangen.plan.links import dashboard_url
from guardiangen.plan.model import LABEL_COMPONENT, LABEL_TEAM, InputSeries
from guardiangen.plan.rules.core import (
    AlertDef,
    Domain,
    ExpectedRecord,
    Owner,
    RecordDef,
    RecordsFixture,
    SeriesFn,
    around,
    minutes_of,
    percent_text,
    rate_window,
    seconds_text,
    sorted_labels,
    threshold_scenarios,
    value_template,
)
from guardiangen.plan.rules.inputs import counter, gauge
from guardiangen.spec.models import ClusterSpec, Postgres

NODE, POSTGRES = "node", "postgres"
INST = "instance"
ONE = Decimal(1)
GIB = Decimal(1024**3)
# Pseudo and container filesystems fill up by design or not at all.
IGNORED_FS = "tmpfs|ramfs|squashfs|overlay|nsfs|devtmpfs"
FS_BY = (INST, "device", "mountpoint")
INSTANCE = {INST: "node-1:9100", "job": "node"}
DB = {INST: "postgres-1:9187", "job": "postgres"}


def _node_names(w: str) -> dict[str, str]:
    return {
        "cpu": f"{INST}:node_cpu_utilization:ratio_rate{w}",
        "memory": f"{INST}:node_memory_utilization:ratio",
        "disk": f"{'_'.join(FS_BY)}:node_filesystem_utilization:ratio",
        "receive": f"{INST}:node_network_receive_bytes:rate{w}",
        "transmit": f"{INST}:node_network_transmit_bytes:rate{w}",
    }


def _node_records(catalog: Catalog, w: str) -> tuple[RecordDef, ...]:
    def s(name: str, *m: q.Matcher) -> q.Series:
        return q.series(catalog, name, *m)

    names = _node_names(w)
    idle = q.avg_by(q.rate(s("node_cpu_seconds_total", q.eq("mode", "idle")), w), INST)
    memory = q.ratio(
        q.sum_by(q.value(s("node_memory_MemAvailable_bytes")), INST),
        q.sum_by(q.value(s("node_memory_MemTotal_bytes")), INST),
    )
    fs = q.not_regex("fstype", IGNORED_FS)
    disk = q.ratio(
        q.sum_by(q.value(s("node_filesystem_avail_bytes", fs)), *FS_BY),
        q.sum_by(q.value(s("node_filesystem_size_bytes", fs)), *FS_BY),
    )
    physical = q.ne("device", "lo")
    return (
        RecordDef(names["cpu"], q.sub(1, idle)),
        RecordDef(names["memory"], q.sub(1, memory)),
        RecordDef(names["disk"], q.sub(1, disk)),
        RecordDef(names["receive"], q.sum_by(q.rate(s("node_network_receive_bytes_total", physical), w), INST)),
        RecordDef(names["transmit"], q.sum_by(q.rate(s("node_network_transmit_bytes_total", physical), w), INST)),
    )


def node(spec: ClusterSpec, catalog: Catalog) -> Domain:
    w = rate_window(spec)
    records = _node_records(catalog, w)
    by_name = {r.name: r.expr for r in records}
    names = _node_names(w)
    th = spec.node_thresholds
    team = {LABEL_TEAM: th.team} if th.team else {}
    owner = Owner(
        {LABEL_COMPONENT: "node", **team}, dashboard_url(cluster_of(spec), "overview"), tuple(th.alert_overrides)
    )
    disk_labels = {**INSTANCE, "device": "/dev/nvme0n1p1", "fstype": "ext4", "mountpoint": "/"}

    def cpu(v: Decimal) -> SeriesFn:
        return lambda m: tuple(
            counter("node_cpu_seconds_total", {**INSTANCE, "cpu": str(c), "mode": mode}, rate, m)
            for c in range(2)
            for mode, rate in (("idle", 1 - v), ("user", v))
        )

    def memory(v: Decimal) -> SeriesFn:
        return lambda m: (
            gauge("node_memory_MemAvailable_bytes", INSTANCE, (1 - v) * 64 * GIB, m),
            gauge("node_memory_MemTotal_bytes", INSTANCE, 64 * GIB, m),
        )

    def disk(v: Decimal) -> SeriesFn:
        return lambda m: (
            gauge("node_filesystem_avail_bytes", disk_labels, (1 - v) * 500 * GIB, m),
            gauge("node_filesystem_size_bytes", disk_labels, 500 * GIB, m),
        )

    alerts: list[AlertDef] = []
    for name, short, max_percent, inputs, result, what, for_ in (
        ("NodeCpuUtilizationHigh", "cpu", th.cpu_utilization_max_percent, cpu, {INST: INSTANCE[INST]},
         f"CPU utilization of node {{{{ $labels.{INST} }}}} is {{value}} over the last {w}", "15m"),
        ("NodeMemoryUtilizationHigh", "memory", th.memory_utilization_max_percent, memory, {INST: INSTANCE[INST]},
         f"Memory use of node {{{{ $labels.{INST} }}}} is {{value}}", "10m"),
        ("NodeDiskUtilizationHigh", "disk", th.disk_utilization_max_percent, disk,
         {k: disk_labels[k] for k in FS_BY},
         f"Filesystem {{{{ $labels.mountpoint }}}} ({{{{ $labels.device }}}}) on node {{{{ $labels.{INST} }}}} is "
         "{value} full", "15m"),
    ):  # fmt: skip
        t = max_percent / 100
        expr = q.gt(q.recorded(names[short], by_name[names[short]]), t)
        text = what.replace("{value}", value_template(expr.meta)) + f" (threshold {percent_text(t)})."
        scenarios = threshold_scenarios(around(t, ">", upper=ONE), inputs, sorted_labels(result))
        lookback = minutes_of(w) if short == "cpu" else 1
        alerts += owner.alert(name, expr, text, scenarios, for_=for_, lookback=lookback)
    return Domain(NODE, records, tuple(alerts), _node_fixture(w))


def _node_fixture(w: str) -> RecordsFixture:
    names = _node_names(w)
    disk_labels = {**INSTANCE, "device": "/dev/nvme0n1p1", "fstype": "ext4", "mountpoint": "/"}
    tmpfs = {**INSTANCE, "device": "tmpfs", "fstype": "tmpfs", "mountpoint": "/run"}

    def inputs(m: int) -> tuple[InputSeries, ...]:
        return (
            *(
                counter("node_cpu_seconds_total", {**INSTANCE, "cpu": str(c), "mode": mode}, rate, m)
                for c in range(2)
                for mode, rate in (("idle", Decimal("0.25")), ("user", Decimal("0.75")))
            ),
            gauge("node_memory_MemAvailable_bytes", INSTANCE, 16 * GIB, m),
            gauge("node_memory_MemTotal_bytes", INSTANCE, 64 * GIB, m),
            gauge("node_filesystem_avail_bytes", disk_labels, 125 * GIB, m),
            gauge("node_filesystem_size_bytes", disk_labels, 500 * GIB, m),
            gauge("node_filesystem_avail_bytes", tmpfs, Decimal(0), m),  # ignored: a full tmpfs is normal
            gauge("node_filesystem_size_bytes", tmpfs, GIB, m),
            counter("node_network_receive_bytes_total", {**INSTANCE, "device": "eth0"}, Decimal(1024), m),
            counter("node_network_receive_bytes_total", {**INSTANCE, "device": "lo"}, Decimal(4096), m),
            counter("node_network_transmit_bytes_total", {**INSTANCE, "device": "eth0"}, Decimal(512), m),
        )

    one = {INST: INSTANCE[INST]}
    expected = (
        ExpectedRecord(names["cpu"], one, Decimal("0.75")),
        ExpectedRecord(names["memory"], one, Decimal("0.75")),
        ExpectedRecord(names["disk"], {k: disk_labels[k] for k in FS_BY}, Decimal("0.75")),
        ExpectedRecord(names["receive"], one, Decimal(1024)),
        ExpectedRecord(names["transmit"], one, Decimal(512)),
    )
    return RecordsFixture(inputs, expected, minutes_of(w))


# ------------------------------------------------------------------------------- postgres


def _pg_names(w: str) -> dict[str, str]:
    return {
        "connections": f"{INST}:pg_connections:ratio",
        "mean": f"{INST}:pg_stat_statements_seconds_per_call:rate{w}",
    }


def postgres(spec: ClusterSpec, catalog: Catalog, pg: Postgres) -> Domain:
    w = rate_window(spec)
    names = _pg_names(w)

    def s(name: str) -> q.Series:
        return q.series(catalog, name)

    connections = q.ratio(
        q.sum_by(q.value(s("pg_stat_database_numbackends")), INST),
        q.sum_by(q.value(s("pg_settings_max_connections")), INST),
    )
    seconds = q.sum_by(q.rate(s("pg_stat_statements_seconds_total"), w), INST)
    mean = q.safe_div(seconds, q.sum_by(q.rate(s("pg_stat_statements_calls_total"), w), INST))
    records = (RecordDef(names["connections"], connections), RecordDef(names["mean"], mean))
    owner = Owner(
        {LABEL_TEAM: pg.team, LABEL_COMPONENT: "postgres"},
        dashboard_url(cluster_of(spec), "overview"),
        tuple(pg.alert_overrides),
    )
    result = sorted_labels({INST: DB[INST]})
    statements = {**DB, "user": "orchestrator", "datname": "guardian", "queryid": "4242"}

    def backends(v: Decimal) -> SeriesFn:
        return lambda m: (
            gauge("pg_stat_database_numbackends", {**DB, "datid": "16384", "datname": "guardian"}, v * 200, m),
            gauge("pg_settings_max_connections", DB, Decimal(200), m),
        )

    def slow(v: Decimal) -> SeriesFn:
        return lambda m: (
            counter("pg_stat_statements_calls_total", statements, Decimal(20), m),
            counter("pg_stat_statements_seconds_total", statements, v * 20, m),
        )

    t = pg.connection_utilization_max_percent / 100
    expr = q.gt(q.recorded(names["connections"], connections), t)
    text = (
        f"PostgreSQL {{{{ $labels.{INST} }}}} uses {value_template(expr.meta)} of max_connections "
        f"(threshold {percent_text(t)})."
    )
    scenarios = threshold_scenarios(around(t, ">", upper=ONE), backends, result)
    alerts = owner.alert("PostgresConnectionsHigh", expr, text, scenarios, for_="10m", lookback=1)

    t = pg.mean_query_time_max_seconds
    expr = q.gt(q.recorded(names["mean"], mean), t)
    text = (
        f"Statements on PostgreSQL {{{{ $labels.{INST} }}}} take {value_template(expr.meta)} on average over the "
        f"last {w} (threshold {seconds_text(t)})."
    )
    scenarios = threshold_scenarios(around(t, ">"), slow, result)
    alerts += owner.alert("PostgresMeanQueryTimeHigh", expr, text, scenarios, for_="15m", lookback=minutes_of(w))
    return Domain(POSTGRES, records, tuple(alerts), _pg_fixture(w))


def _pg_fixture(w: str) -> RecordsFixture:
    names = _pg_names(w)
    statements = {**DB, "user": "orchestrator", "datname": "guardian"}

    def inputs(m: int) -> tuple[InputSeries, ...]:
        return (
            gauge("pg_stat_database_numbackends", {**DB, "datid": "16384", "datname": "guardian"}, Decimal(20), m),
            gauge("pg_stat_database_numbackends", {**DB, "datid": "1", "datname": "postgres"}, Decimal(12), m),
            gauge("pg_settings_max_connections", DB, Decimal(128), m),
            # two statements: the mean weighs each by its calls
            counter("pg_stat_statements_calls_total", {**statements, "queryid": "1"}, Decimal(3), m),
            counter("pg_stat_statements_seconds_total", {**statements, "queryid": "1"}, Decimal("0.25"), m),
            counter("pg_stat_statements_calls_total", {**statements, "queryid": "2"}, Decimal(1), m),
            counter("pg_stat_statements_seconds_total", {**statements, "queryid": "2"}, Decimal("0.25"), m),
        )

    one = {INST: DB[INST]}
    expected = (
        ExpectedRecord(names["connections"], one, Decimal("0.25")),
        ExpectedRecord(names["mean"], one, Decimal("0.125")),
    )
    return RecordsFixture(inputs, expected, minutes_of(w))
