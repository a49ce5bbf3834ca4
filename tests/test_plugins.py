"""The plugin mechanism: built-ins come through the hooks; every hook is documented."""

from __future__ import annotations

import inspect
import re
import types
from datetime import timedelta

from fastapi import APIRouter
from fastapi.testclient import TestClient

from support import REPO
from yuqing import hookspecs
from yuqing.alerting.sla import SlaPolicy
from yuqing.api.app import create_app
from yuqing.hookspecs import hookimpl
from yuqing.pluginmanager import flatten, get_plugin_manager
from yuqing.services import Services
from yuqing.settings import load_settings


def hook_names() -> set[str]:
    return {name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("register_")}


def test_every_hook_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(register_\w+)\(", readme, flags=re.MULTILINE))
    assert hook_names() and documented == hook_names()
    for name in hook_names():
        assert inspect.getdoc(getattr(hookspecs, name)), f"{name} has no docstring"


def test_built_ins_register_through_the_hooks() -> None:
    pm = get_plugin_manager()
    assert {s.name for s in flatten(pm.hook.register_sources())} >= {"weibo", "baidu", "discuz"}
    settings = load_settings()
    assert [r.name for r in flatten(pm.hook.register_alert_rules(settings=settings))] == ["negative_brand_post"]
    policies = {p.kind: p for p in flatten(pm.hook.register_sla_policies(settings=settings))}
    assert {k: p.due_after for k, p in policies.items()} == {
        "response": timedelta(hours=2),
        "statement": timedelta(hours=24),
        "director_report": timedelta(hours=2),
    }
    assert policies["director_report"].severities == ("major",)
    assert [n.name for n in flatten(pm.hook.register_notifiers(settings=settings))] == []


def test_a_plugin_adds_a_policy_and_a_route(tmp_path, monkeypatch) -> None:
    router = APIRouter()

    @router.get("/api/complaints/ping")
    def ping() -> dict[str, str]:
        return {"pong": "投诉"}

    plugin = types.SimpleNamespace(
        register_routes=hookimpl(lambda: [router]),
        register_sla_policies=hookimpl(
            lambda settings: [SlaPolicy(kind="complaint_response", due_after=timedelta(minutes=30))]
        ),
    )
    original = get_plugin_manager

    def with_plugin():
        pm = original()
        pm.register(plugin, name="complaints")
        return pm

    monkeypatch.setattr("yuqing.services.get_plugin_manager", with_plugin)
    services = Services(load_settings(data_dir=tmp_path / "d"))
    try:
        kinds = {p.kind for p in services.incidents.policies}
        assert kinds == {"response", "statement", "director_report", "complaint_response"}
        with TestClient(create_app(services)) as client:
            assert client.get("/api/complaints/ping").json() == {"pong": "投诉"}
    finally:
        services.close()
