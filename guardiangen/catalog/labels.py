"""Label names of the reference instrumentation (``SpecialistMetrics``, ``GuardianMetrics``,
``AIWorkloadMetrics``), as the built-in catalog declares them.

Rules, SLIs and dashboards select and group by these names; naming them once here keeps a rename in
the instrumentation a one-line change.
"""

from __future__ import annotations

SPECIALIST_TYPE = "specialist_type"  # a specialist's `metric_label_value` on its own series
GUARDIAN_TYPE = "guardian_type"  # a guardian's `metric_label_value` on its series
SPECIALIST_ID = "specialist_id"  # on a guardian's series: the watched specialist it judged
STATUS = "status"  # outcome of a request: success | error ...
QUALITY_TIER = "quality_tier"
COMPLEXITY = "complexity"
ERROR_TYPE = "error_type"
ERROR_SEVERITY = "severity"  # of an error or a detected issue (not the alerts' severity label)
GPU_ID = "gpu_id"
MEMORY_TYPE = "memory_type"
EVALUATION_TYPE = "evaluation_type"
ISSUE_TYPE = "issue_type"
PREDICTION_TYPE = "prediction_type"
IMPROVEMENT_TYPE = "improvement_type"
PRIORITY = "priority"  # of a suggested improvement
MODEL_NAME = "model_name"
BATCH_SIZE = "batch_size"  # str(int) of every request: unbounded
SEQUENCE_LENGTH = "sequence_length"  # str(int) of every request: unbounded
COMPONENT = "component"  # the AI workload's component (not the alerts' component label)
CACHE_TYPE = "cache_type"
