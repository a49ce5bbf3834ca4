"""What a workflow action answers when it cannot be done; the API maps each to its status."""

from __future__ import annotations


class WorkflowError(Exception):
    status = 400


class NotFound(WorkflowError):
    status = 404


class Forbidden(WorkflowError):
    status = 403


class Conflict(WorkflowError):
    """The action is not allowed in the current state (acknowledging a resolved incident)."""

    status = 409


class Invalid(WorkflowError):
    status = 422
