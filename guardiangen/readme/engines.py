"""The README's serving-engine tables, built from the engine catalogue (``guardiangen.catalog.engines``)."""

from __future__ import annotations

from guardiangen.catalog import engines as eng
from guardiangen.catalog.engines import Signal


def engines_table() -> str:
    """One row per engine: its spec name, model label and catalogued releases; then, per signal,
    the metric its newest catalogued release reads (and where it is renamed, the older name)."""
    rows = ["| engine | `engine.name` | model label | catalogued releases |", "|---|---|---|---|"]
    for name in eng.ENGINES:
        newest = eng.release(name, eng.catalogued_versions(name)[-1])
        label = f"`{newest.model_label}`" if newest.model_label else "none (select by `job` or `namespace`)"
        releases = ", ".join(eng.catalogued_versions(name))
        rows.append(f"| {eng.title(name)} | `{name}` | {label} | {releases} |")
    rows += ["", "| signal | " + " | ".join(eng.title(n) for n in eng.ENGINES) + " |"]
    rows.append("|---|" + "---|" * len(eng.ENGINES))
    renamed = {d.replacement: d for d in eng.deprecations()}
    for signal in Signal:
        cells = []
        for name in eng.ENGINES:
            newest = eng.release(name, eng.catalogued_versions(name)[-1])
            source = newest.signal(signal)
            if source is None:
                cells.append("—")
                continue
            text = f"`{source.metric.name}_{source.part}`" if source.part else f"`{source.metric.name}`"
            if source.matchers:
                text += " " + ", ".join(f'`{k}="{v}"`' for k, v in source.matchers)
            if source.metric.name in renamed:
                d = renamed[source.metric.name]
                text += f" (before {d.since}: `{d.name}`)"
            if source.requires:
                text += f" (needs {source.requires})"
            cells.append(text)
        rows.append(f"| {signal.value} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
