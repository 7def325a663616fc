"""Generate a valid cluster spec of N specialists, with guardians and GPU nodes in proportion.

    python bench/gen_spec.py 1000 > /tmp/cluster-1000.yaml

Shape per 10 specialists: 1 guardian watching them, 1 GPU node of 8 GPUs (two specialists of 4 GPUs
each per node... scaled so placement always fits), every SLO kind on every specialist.
"""

from __future__ import annotations

import argparse
import sys

from ruamel.yaml import YAML

TEAMS = ("code-platform", "reasoning", "health-ai", "legal-ai", "search")


def spec(n: int) -> dict[str, object]:
    n_nodes = max(1, (n + 1) // 2)
    n_guardians = max(1, n // 10)
    specialists = []
    for i in range(n):
        specialists.append(
            {
                "name": f"s{i:05d}",
                "team": TEAMS[i % len(TEAMS)],
                "model": f"model-{i % 7}",
                "gpu_placement": {"nodes": [f"gpu-{i // 2:05d}"], "gpus_per_node": 4},
                "slos": {
                    "availability": {"objective_percent": 99.9},
                    "latency": {"objective_percent": 95, "threshold_seconds": 10},
                    "quality": {"objective_percent": 90, "minimum_score": 0.7},
                },
                "thresholds": {"latency_p95_max_seconds": 10, "quality_mean_min": 0.7, "throughput_drop_percent": 50},
            }
        )
    guardians = []
    for g in range(n_guardians):
        watched = [f"s{i:05d}" for i in range(g * 10, min(n, g * 10 + 10))] or ["s00000"]
        guardians.append(
            {
                "name": f"g{g:05d}",
                "type": ("quality", "safety", "performance")[g % 3],
                "team": "guardian-ops",
                "watches": watched,
                "slos": {"coverage": {"objective_percent": 99}},
            }
        )
    return {
        "apiVersion": "guardiangen/v1",
        "kind": "Cluster",
        "metadata": {"name": "bench", "environment": "bench", "alert_labels": {"cluster": "bench"}},
        "defaults": {
            "runbook_url_pattern": "https://runbooks.example.com/{alert}",
            "dashboard_base_url": "https://grafana.example.com",
            "prometheus_datasource": {"name": "Prometheus", "uid": "prometheus", "url": "http://prometheus:9090"},
            "alertmanager_datasource": {"name": "Alertmanager", "uid": "alertmanager", "url": "http://am:9093"},
        },
        "specialists": specialists,
        "guardians": guardians,
        "gpu_inventory": {
            "models": [
                {
                    "name": "a100",
                    "product_name": "NVIDIA A100-SXM4-80GB",
                    "memory_gib": 80,
                    "max_temperature_celsius": 85,
                }
            ],
            "nodes": [{"name": f"gpu-{k:05d}", "gpu_model": "a100", "gpu_count": 8} for k in range(n_nodes)],
        },
        "alerting": {
            "receivers": [
                {"name": "pager", "pagerduty": {"routing_key_file": "/etc/am/pd"}},
                {"name": "chat", "slack": {"api_url_file": "/etc/am/slack", "channel": "#alerts"}},
            ],
            "default_receiver": "chat",
            "routes": [{"match_labels": {"severity": "critical"}, "receivers": ["pager"]}],
        },
        "logging": {
            "elasticsearch": {"hosts": ["https://es:9200"], "user": "fluentd", "password_env": "ES_PASSWORD"},
            "sources": [{"name": "containers", "path": "/var/log/containers/*.log"}],
            "components": [
                {"name": "specialists", "component_values": ["specialist"]},
                {"name": "guardians", "component_values": ["guardian"]},
            ],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specialists", type=int, nargs="?", default=10, help="number of specialists (default 10)")
    n = parser.parse_args().specialists
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(spec(n), sys.stdout)


if __name__ == "__main__":
    main()
