"""Notes: what layerlint tells the user about the project beyond findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from harness import FIXTURES, run_fixture
from layerlint.cli import main

GLOBAL_FILTER = FIXTURES / "notes" / "global_filter"


def test_roles_notes_a_global_soft_delete_filter(copy_of: Callable[[Path], Path]) -> None:
    result = CliRunner().invoke(main, ["roles", str(copy_of(GLOBAL_FILTER))], catch_exceptions=False)
    assert "note: app.core.db applies with_loader_criteria globally" in result.output
    assert "note: app.core.tenancy applies with_loader_criteria globally" in result.output  # event.listen(...)
    assert 'ignore = ["LL402"]' in result.output


def test_roles_without_global_filter_has_no_note(copy_of: Callable[[Path], Path]) -> None:
    project = copy_of(FIXTURES / "ll402" / "queries_clean")
    result = CliRunner().invoke(main, ["roles", str(project)], catch_exceptions=False)
    assert "note:" not in result.output


def test_query_findings_mention_the_global_filter() -> None:
    (finding,) = [d for d in run_fixture(GLOBAL_FILTER, ("LL402",))]
    assert "with_loader_criteria" in finding.message


def test_roles_notes_a_base_repository_with_another_name(copy_of: Callable[[Path], Path]) -> None:
    project = copy_of(FIXTURES / "ll403" / "other_base_name")
    result = CliRunner().invoke(main, ["roles", str(project)], catch_exceptions=False)
    assert 'base-class = "RepositoryBase"' in result.output
    assert "2 repositories derive from `RepositoryBase`" in result.output


def test_roles_notes_a_generic_base_extended_by_one_repository(copy_of: Callable[[Path], Path]) -> None:
    project = copy_of(FIXTURES / "ll403" / "single_generic_base")
    result = CliRunner().invoke(main, ["roles", str(project)], catch_exceptions=False)
    assert "1 repository derives from `CRUDBase`" in result.output
    assert 'base-class = "CRUDBase"' in result.output


def test_roles_explains_every_role_decided_by_content(copy_of: Callable[[Path], Path]) -> None:
    def roles_of(fixture: str) -> dict[str, str]:
        result = CliRunner().invoke(main, ["roles", str(copy_of(FIXTURES / fixture))], catch_exceptions=False)
        return {line.split()[0]: line for line in result.output.splitlines() if line.startswith("app")}

    dtos = roles_of("ll103/dto_package")
    assert "dto " in dtos["app.models.schemas.users"]
    assert "but package `app.models` holds pydantic models (`DateTimeModelMixin`) and no table model" in dtos["app.models"]
    other = roles_of("ll101/other_kind_of_repository")
    assert "touches no database (no session, driver, ORM or table model) and works with `pathlib`" in (
        other["app.git.repositories.clones"])
    assert "repository" in other["app.db.repositories.archive"].split()[1]
    wiring = roles_of("ll102/wiring_package_configured")  # by default a glob names the submodules
    assert "dependency  in dependency-wiring package `app.api.dependencies`" in wiring["app.api.dependencies.articles"]
    used = roles_of("ll102/roles_by_use")
    assert ("service     `OrderController` holds repository `OrderRepository` (parameter `order_repository`); "
            "router `app.api.orders` imports it") in used["app.controllers.order"]
    assert "service `app.controllers.order` imports it" in used["app.core.controller.base"]
    assert "dependency  builds dependencies from repository `app.repositories.order`" in used["app.core.factory.factory"]
    assert used["app.helpers.lookup"].split()[1] == "-" and used["app.scripts.report"].split()[1] == "-"
    data_access = roles_of("ll101/data_access_in_models")
    assert ("repository  default layout `**.models.**`, but it defines data-access class `NoteTable` (its method "
            "`get_note_by_id` queries table model `Note`)") in data_access["app.models.notes"]
    assert data_access["app.models.tags"].split()[1] == "model"  # tables and DTOs with methods, no queries
    functions = roles_of("ll101/function_data_access")
    assert ("repository  defines data-access function `read_flow` (it queries table model `Flow`); router "
            "`app.api.flows` imports it") in functions["app.models.flows"]
    assert "its `__init__` imports data-access module `app.models.flows`; router `app.api.flows`" in functions["app.models"]
    assert ("defines data-access function `count_flows` (it hands the session it is handed to `record(...)`); "
            "its package `app.models`, in the repository layer, hands it out") in functions["app.models.runs"]
    assert "`app.models.runs` beside it, in the repository layer, uses it" in functions["app.models.audit"]
    assert functions["app.models.listeners"].split()[1] == "model"  # only the table definitions import it
    factory = roles_of("ll102/chains_end_at_a_repository")
    assert "app         builds the FastAPI app in `create_app`" in factory["app.application"]
    workers = roles_of("ll102/worker_tasks")
    assert "worker      defines background task `order_created` (`@actor`, which calls `dramatiq.actor`)" in (
        workers["app.orders.tasks"])
    assert "(`@celery_app.task`)" in workers["app.emails.jobs"] and "(`@shared_task`)" in workers["app.billing.tasks"]
    assert "defines background task `send_invoice` (`dramatiq.actor(...)`)" in workers["app.invoices.tasks"]
    assert workers["app.reports.tasks"].split()[1] == "-"
    named = roles_of("ll101/repositories_named_for_the_domain")
    assert ("holds router `app.plugins.repositories.router`: a feature package, not the data layer; by its own "
            "name, dto") in named["app.plugins.repositories.schemas"]
    assert named["app.plugins.repositories"].split()[1] == "-"
    assert ("queries no table model itself, leaves that to the services it calls, and works with `pathlib`"
            in named["app.plugins.repository"]) and named["app.plugins.repository"].split()[1] == "-"
    assert named["app.repositories.sources"].split()[1] == "repository"
    plumbing = roles_of("ll101/data_package_functions")
    assert plumbing["app.db.tenancy"].split()[1] == "-" and plumbing["app.db.scoped"].split()[1] == "-"
    assert "(it runs `session.execute(...)` over table model `Invoice` on the session it is handed)" in (
        plumbing["app.db.invoices"])
    crud = roles_of("ll101/crud_above_the_data_layer")
    assert ("service     default layout `**.crud.**`, but package `app.crud` runs no query itself and hands its "
            "sessions on (`Jobs.pending` hands its session to `get_store().list_jobs(...)`)") in crud["app.crud.jobs"]
    assert crud["app.store.crud.schedules"].split()[1] == "repository"  # a CRUD library's calls are its queries


def test_roles_names_the_programs(copy_of: Callable[[Path], Path]) -> None:
    result = CliRunner().invoke(main, ["roles", str(copy_of(FIXTURES / "ll402" / "programs"))], catch_exceptions=False)
    roles = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(("app", "scripts"))}
    program = "a program: it runs itself and no module imports it"
    assert program in roles["scripts.reencrypt_webhook_secrets"] and program in roles["scripts.disable_webhook"]
    assert "service     default layout `**.*_service`; " + program in roles["scripts.webhook_service"]
    # Imported by another script, without a guard, the app's entry point, a service with a demo that a router imports.
    for module in ("scripts.purge_webhooks", "scripts.count_webhooks", "app.main", "app.services.webhooks"):
        assert program not in roles[module], module
