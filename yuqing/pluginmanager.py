"""The plugin manager: built-in plugins first, then installed ones."""

from __future__ import annotations

import importlib
from typing import Iterable, TypeVar

import pluggy

from yuqing import hookspecs

T = TypeVar("T")

DEFAULT_PLUGINS = (
    "yuqing.crawlers.builtin",
    "yuqing.plugins.crisis",
)


def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("yuqing")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints("yuqing.plugins")
    return pm


def flatten(results: Iterable[list[T] | None]) -> list[T]:
    """Join the lists that each plugin's implementation of a hook returned."""
    return [item for result in results if result for item in result]
