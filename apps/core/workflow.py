"""Status workflows as data: which status may follow which, with one clear refusal."""

from django.core.exceptions import ValidationError


class Workflow:
    """Allowed transitions, e.g. Workflow({"draft": {"confirmed", "cancelled"}, ...})."""

    def __init__(self, transitions: dict[str, set[str]], *, noun: str):
        self.transitions = transitions
        self.noun = noun

    def allowed(self, current: str) -> set[str]:
        return self.transitions.get(current, set())

    def check(self, current: str, target: str) -> None:
        """Raise ValidationError on `status` unless current -> target is allowed."""
        if target in self.allowed(current):
            return
        allowed = ", ".join(sorted(self.allowed(current))) or "none (final status)"
        article = "An" if self.noun[0] in "aeiou" else "A"
        raise ValidationError(
            {
                "status": f"{article} {self.noun} cannot go from '{current}' to '{target}'. "
                f"Allowed from '{current}': {allowed}."
            },
            code="invalid_transition",
        )
