"""The notices people read, in Chinese: pure functions of the incident and the reason."""

from __future__ import annotations

from datetime import datetime

from .sla import CLOCK_LABELS, SEVERITY_LABELS


def _time(at: datetime) -> str:
    return at.strftime("%m-%d %H:%M")


def _head(severity: str, text: str) -> str:
    return f"【{SEVERITY_LABELS.get(severity, severity)}】{text}"


def opened(incident_id: int, severity: str, title: str, brand: str, detected_at: datetime) -> tuple[str, str]:
    return (
        _head(severity, f"新舆情事件 #{incident_id}：{title}"),
        f"品牌：{brand}\n发现时间：{_time(detected_at)}\n请在时限内确认并回应（事件 #{incident_id}）。",
    )


def clock_step(
    incident_id: int, severity: str, title: str, clock: str, kind: str, due_at: datetime, now: datetime
) -> tuple[str, str]:
    label = CLOCK_LABELS.get(clock, clock)
    if now >= due_at:
        what = f"{label}时限已超时（截止 {_time(due_at)}）"
    elif kind == "warning":
        minutes = max(0, int((due_at - now).total_seconds() // 60))
        what = f"{label}时限即将到期：剩余约 {minutes} 分钟（截止 {_time(due_at)}）"
    else:
        what = f"{label}：请在 {_time(due_at)} 前处理"
    return _head(severity, f"事件 #{incident_id} {what}"), f"事件：{title}\n{what}。"


def director_report(incident_id: int, severity: str, title: str, due_at: datetime, n: int) -> tuple[str, str]:
    again = f"（第 {n + 1} 次提醒）" if n else ""
    return (
        _head(severity, f"重大舆情上报 #{incident_id}{again}：{title}"),
        f"重大舆情事件 #{incident_id} 需总监知悉，请于 {_time(due_at)} 前在控制台确认接收。",
    )


def statement(
    incident_id: int, severity: str, version: int, what: str, by: str, comment: str | None
) -> tuple[str, str]:
    text = f"事件 #{incident_id} 的官方声明第 {version} 版{what}（{by}）。"
    if comment:
        text += f"\n意见：{comment}"
    return _head(severity, f"声明{what} · 事件 #{incident_id}"), text
