"""Who may do what: the one table behind every 403, in the API and the console alike.

Separation of duties: only legal approves or rejects a statement, only the
brand team writes and publishes one, only the director acknowledges a crisis
report. ``admin`` runs the system (users, silences), not the crisis itself.
Reading is open to every signed-in role.
"""

from __future__ import annotations

ACTIONS: dict[str, frozenset[str]] = {
    "incident.create": frozenset({"brand", "brand_lead"}),
    "incident.ack": frozenset({"brand", "brand_lead"}),
    "incident.respond": frozenset({"brand", "brand_lead"}),
    "incident.resolve": frozenset({"brand_lead", "director"}),
    "incident.severity": frozenset({"brand_lead", "director"}),
    "incident.director_ack": frozenset({"director"}),
    "statement.draft": frozenset({"brand", "brand_lead"}),
    "statement.edit": frozenset({"brand", "brand_lead"}),
    "statement.submit": frozenset({"brand", "brand_lead"}),
    "statement.approve": frozenset({"legal"}),
    "statement.reject": frozenset({"legal"}),
    "statement.publish": frozenset({"brand", "brand_lead"}),
    "silence.create": frozenset({"brand_lead", "admin"}),
    "silence.expire": frozenset({"brand_lead", "admin"}),
}


def allowed(role: str, action: str) -> bool:
    return role in ACTIONS[action]


def actions_for(role: str) -> list[str]:
    """What the console offers this role."""
    return sorted(a for a, roles in ACTIONS.items() if role in roles)
