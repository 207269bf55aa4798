"""The project as rules see it: facts of every module, names resolved, roles assigned, the graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from layerlint.core.config import Config
from layerlint.project.facts import ModuleFacts
from layerlint.project.graph import ImportGraph
from layerlint.project.imports import defining_modules
from layerlint.project.roles import Role, RoleAssigner
from layerlint.project.symbols import SymbolIndex


@dataclass
class Project:
    config: Config
    modules: dict[str, ModuleFacts]
    index: SymbolIndex = field(init=False)
    memo: dict[str, object] = field(default_factory=dict)  # per-run analyses shared between rules

    def __post_init__(self) -> None:
        self.index = SymbolIndex(self.modules)

    @classmethod
    def build(cls, config: Config, facts: list[ModuleFacts]) -> Project:
        modules: dict[str, ModuleFacts] = {}
        for module_facts in facts:
            modules.setdefault(module_facts.module, module_facts)
        return cls(config, modules)

    @cached_property
    def roles(self) -> dict[str, Role]:
        return RoleAssigner(self.index, self.config).assign()

    @cached_property
    def graph(self) -> ImportGraph:
        """Syntactic import edges, exactly as grimp and import-linter see them."""
        return ImportGraph(self.modules)

    @cached_property
    def dependency_graph(self) -> ImportGraph:
        """Edges to the modules that define what is imported, for architectural chains."""
        return ImportGraph(self.modules, lambda item: defining_modules(self.index, item))

    @cached_property
    def noqa_by_path(self) -> dict[str, dict[int, list[str]]]:
        """Each file's `# noqa` comments by line, for the diagnostics located in it."""
        return {facts.path: facts.noqa for facts in self.modules.values()}

    def role(self, module: str) -> str | None:
        role = self.roles.get(module)
        return role.role if role else None

    def modules_with_role(self, *roles: str) -> list[ModuleFacts]:
        return [facts for name, facts in self.modules.items() if self.role(name) in roles]
