"""The wording the bot uses, loaded from editable files under prompts/ and checked at start.

Templates use $placeholders (string.Template). A missing file, a missing required placeholder or an
unknown one is reported at start, with every problem at once, rather than at the first question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

# name -> (placeholders it may use, placeholders it must use)
TEMPLATES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "answer": (
        frozenset({"title", "lead", "excerpts", "sources", "last_reviewed", "disclaimer"}),
        frozenset({"lead", "excerpts", "sources", "disclaimer"}),
    ),
    "not_covered": (frozenset({"suggestions"}), frozenset({"suggestions"})),
    "other_language": (frozenset({"suggestions"}), frozenset({"suggestions"})),
    "low_confidence": (frozenset(), frozenset()),
    "suggestions": (frozenset({"topics"}), frozenset({"topics"})),
    "too_long": (frozenset({"length", "limit"}), frozenset({"limit"})),
    "empty": (frozenset(), frozenset()),
    "disclaimer": (frozenset(), frozenset()),
    "help": (frozenset({"disclaimer"}), frozenset()),
    "reported": (frozenset({"publishers"}), frozenset({"publishers"})),
}


class PromptError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("prompt templates are broken:\n" + "\n".join(problems))


@dataclass(frozen=True)
class Prompts:
    templates: dict[str, Template]

    @classmethod
    def load(cls, prompts_dir: Path) -> Prompts:
        prompts_dir = Path(prompts_dir)
        problems: list[str] = []
        templates: dict[str, Template] = {}
        for name, (allowed, required) in TEMPLATES.items():
            path = prompts_dir / f"{name}.txt"
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: cannot read template ({exc.__class__.__name__}: {exc})")
                continue
            template = Template(text)
            if not template.is_valid():
                problems.append(f"{path}: invalid placeholder syntax (use $name or ${{name}}; write $$ for a dollar sign)")
                continue
            used = set(template.get_identifiers())
            for unknown in sorted(used - allowed):
                known = ", ".join(sorted(allowed)) or "none"
                problems.append(f"{path}: unknown placeholder ${unknown} (allowed: {known})")
            for missing in sorted(required - used):
                problems.append(f"{path}: required placeholder ${missing} is missing")
            if not text:
                problems.append(f"{path}: template is empty")
            templates[name] = template
        if problems:
            raise PromptError(problems)
        return cls(templates)

    def render(self, name: str, **values: object) -> str:
        if name == "help":
            values.setdefault("disclaimer", self.disclaimer)
        return self.templates[name].substitute({k: str(v) for k, v in values.items()})

    @property
    def disclaimer(self) -> str:
        return self.templates["disclaimer"].template
