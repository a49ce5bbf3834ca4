"""The crisis workflow (舆情管理) as the engine's first plugin.

Policy 一(六)2: respond to negative information within 2 hours. Later issues
add the 24 h statement and the director's 2 h report to this plugin.
"""

from __future__ import annotations

from datetime import timedelta

from yuqing.alerting.rules import AlertRule, NegativeBrandPost
from yuqing.alerting.sla import SlaPolicy
from yuqing.hookspecs import hookimpl
from yuqing.settings import Settings


@hookimpl
def register_alert_rules(settings: Settings) -> list[AlertRule]:
    return [NegativeBrandPost()]


@hookimpl
def register_sla_policies(settings: Settings) -> list[SlaPolicy]:
    return [SlaPolicy(kind="response", due_after=timedelta(hours=settings.response_hours))]
