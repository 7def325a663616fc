"""The starter spec written by ``guardiangen init``: small, commented, and valid."""

STARTER = """\
# yaml-language-server: $schema=https://guardiangen.invalid/schemas/cluster-v1.json
# A starter cluster for guardiangen. Check it with `guardiangen validate cluster.yaml`,
# then generate everything with `guardiangen render cluster.yaml --out out`.
apiVersion: guardiangen/v1
kind: Cluster

metadata:
  name: my-cluster            # lowercase words joined by - or _
  environment: staging
  alert_labels:               # added to every alert
    cluster: my-cluster

defaults:
  runbook_url_pattern: https://runbooks.example.com/{alert}   # {alert}: the alert name, lowercase
  dashboard_base_url: https://grafana.example.com
  prometheus_datasource:
    name: Prometheus
    uid: prometheus
    url: http://prometheus:9090
  alertmanager_datasource:
    name: Alertmanager
    uid: alertmanager
    url: http://alertmanager:9093

specialists:
  - name: code                # value of the specialist_type label in metrics, unless metric_label_value says otherwise
    team: platform
    model: codellama-34b-instruct
    gpu_placement:
      nodes: [gpu-01]
      gpus_per_node: 2
    slos:
      availability:
        objective_percent: 99.9   # 0.1 % of requests may fail over the period (30d by default)
      latency:
        objective_percent: 95     # 95 % of requests ...
        threshold_seconds: 10     # ... finish within 10 s (a bucket boundary of the latency histogram)

guardians:
  - name: safety
    type: safety
    team: platform
    watches: [code]

gpu_inventory:
  models:
    - name: a100-80gb
      product_name: NVIDIA A100-SXM4-80GB   # the exporter's modelName label
      memory_gib: 80
      max_temperature_celsius: 85
  nodes:
    - name: gpu-01
      gpu_model: a100-80gb
      gpu_count: 8

alerting:
  receivers:
    - name: team-slack
      slack:
        api_url_file: /etc/alertmanager/secrets/slack-webhook   # secrets only by file reference
        channel: "#alerts"
  default_receiver: team-slack
"""
