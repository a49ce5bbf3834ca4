"""The crisis workflow (舆情管理) as the engine's first plugin.

Policy 一(六)2: respond to negative information within 2 hours; verify and publish
an official statement within 24 hours, after legal approval; report a major crisis
to the marketing-centre director within 2 hours. The clocks and their escalation
come from ``[sla]``, the rules from ``[alerts]``, the channels from ``[notify]``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from yuqing.alerting.notify.base import Notifier
from yuqing.alerting.notify.channels import build_notifier
from yuqing.alerting.rules import AlertRule, KeywordTrigger, NegativeBrandPost
from yuqing.alerting.sla import SlaPolicy, policies_from_settings
from yuqing.alerting.ticker import Watch
from yuqing.alerting.watches import NegativeSpike, SilentSource
from yuqing.errors import YuqingError
from yuqing.hookspecs import hookimpl
from yuqing.settings import Settings

if TYPE_CHECKING:
    from yuqing.services import Services


@hookimpl
def register_alert_rules(settings: Settings) -> list[AlertRule]:
    keyword_rules: list[AlertRule] = [KeywordTrigger(k.name, k.query, k.severity) for k in settings.alerts.keywords]
    return [NegativeBrandPost(), *keyword_rules]


@hookimpl
def register_watches(services: Services) -> list[Watch]:
    settings = services.settings
    spike = settings.alerts.spike
    watches = [
        Watch(
            "source_silent",
            timedelta(minutes=5),
            SilentSource(
                services.health.all,
                lambda name: _enabled(services, name),
                timedelta(hours=settings.alerts.silent_hours),
            ).check,
        )
    ]
    if spike.enabled and settings.brands:
        rule = NegativeSpike(
            services.posts,
            [b.name for b in settings.brands],
            window=timedelta(minutes=spike.window_minutes),
            baseline=timedelta(hours=spike.baseline_hours),
            k=spike.k,
            min_count=spike.min_count,
            severity=spike.severity,
        )
        watches.append(Watch(rule.name, timedelta(minutes=spike.check_minutes), rule.check))
    return watches


def _enabled(services: Services, name: str) -> bool:
    try:
        return services.source(name).conf.enabled
    except YuqingError:  # no longer configured
        return False


@hookimpl
def register_sla_policies(settings: Settings) -> list[SlaPolicy]:
    return policies_from_settings(settings)


@hookimpl
def register_notifiers(settings: Settings) -> list[Notifier]:
    return [build_notifier(name, channel) for name, channel in settings.notify.channels.items()]
