"""The plan stage: from a valid spec and its catalog to the target-neutral :class:`~.model.Plan`.

:func:`.build.build_plan` puts it together; :mod:`.model` holds its types, the only part of this
package the renderers import. Families of builders have subpackages (:mod:`.rules`, :mod:`.slo`);
the other areas a module each (:mod:`.alerting`, :mod:`.dashboards`, :mod:`.logging`,
:mod:`.deployment`).
"""
