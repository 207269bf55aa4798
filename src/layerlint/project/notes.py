"""Things worth telling the user about the project that are not findings (shown by `layerlint roles`)."""

from __future__ import annotations

from layerlint.project.project import Project
from layerlint.project.repositories import unconfigured_base
from layerlint.project.soft_delete import global_filters


def project_notes(project: Project) -> list[str]:
    notes = project.memo.get("notes")
    if notes is None:
        notes = [f"{module} applies with_loader_criteria globally; if it hides soft-deleted rows, consider "
                 'ignore = ["LL402"]' for module in global_filters(project)]
        other = unconfigured_base(project)
        if other is not None:
            notes.append(f"no class is the configured base repository `{project.config.base_repository}`, "
                         f"but {other[1]} repositories derive from `{other[0]}`: set [tool.layerlint.repositories] "
                         f'base-class = "{other[0]}" (LL403 stays silent until then)')
        project.memo["notes"] = notes
    return notes  # type: ignore[return-value]
