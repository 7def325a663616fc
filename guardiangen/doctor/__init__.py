"""``guardiangen doctor``: a running Prometheus (and Alertmanager) checked against the spec's render.

    expect      what the render needs the cluster to show, with spec positions
    client      read-only HTTP with one request and time budget for the run
    prometheus  the checks against Prometheus' HTTP API
    alertmanager  the loaded configuration against the rendered one

It renders the spec in memory (nothing is written) and only ever sends GET requests.
"""

from guardiangen.doctor.run import Servers, doctor

__all__ = ["Servers", "doctor"]
