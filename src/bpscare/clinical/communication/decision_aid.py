"""Decision aid model: options, benefits and harms, uncertainty and values, and its Markdown form.

:class:`DecisionAid`: options, benefits and harms as natural frequencies ("12 out of 100
people"), uncertainty and values clarification, with pure functions to add and remove parts and
:func:`decision_aid_to_markdown` to print it. Decision aids help people feel more knowledgeable,
better informed and clearer about their values, take a more active role and perceive risk more
accurately, with no adverse effect on health outcomes or satisfaction (Stacey D, et al., Cochrane
Database Syst Rev 2017, CD001431.pub5). The seed "Trust Is a 2-Way Street" reports that parents
of children with head trauma who used a decision aid reported more trust in their doctors (the
seed's reference 6; primary study unverified here). The checks are in
:mod:`bpscare.clinical.communication.decision_aid_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from bpscare.clinical.communication._validation import (
    _check_text,
    _per_100,
    _reject_unknown,
    _texts,
)
from bpscare.clinical.communication.risk_formats import natural_frequency

__all__ = [
    "DecisionAid",
    "Option",
    "Outcome",
    "OutcomeKind",
    "ValueStatement",
    "decision_aid_to_markdown",
    "with_option",
    "with_outcome",
    "with_value",
    "without_option",
    "without_outcome",
    "without_value",
]

OutcomeKind = Literal["benefit", "harm"]
_KINDS = ("benefit", "harm")


@dataclass(frozen=True)
class Outcome:
    """One benefit or harm of an option, with how many people out of 100 it happens to.

    Parameters
    ----------
    description
        What happens, in plain language ("back pain improves enough to return to work").
    kind
        ``"benefit"`` or ``"harm"``.
    per_100
        How many people out of 100 it happens to (0-100, decimals allowed), or None if unknown.
    timeframe
        Over what period ("within 3 months"); compare options over the same period.
    source
        Where the number comes from (author, journal, year).
    """

    description: str
    kind: OutcomeKind
    per_100: float | None = None
    timeframe: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if not _check_text("description", self.description).strip():
            msg = "description: an outcome needs a description, got an empty string"
            raise ValueError(msg)
        if self.kind not in _KINDS:
            msg = f"kind: {self.kind!r} is not known; allowed: {', '.join(_KINDS)}"
            raise ValueError(msg)
        object.__setattr__(self, "per_100", _per_100(self.per_100))
        _check_text("timeframe", self.timeframe)
        _check_text("source", self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as plain JSON-able data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "outcome") -> Outcome:
        """Rebuild an outcome from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown(path, data, (f.name for f in fields(cls)))
        try:
            return cls(**data)
        except (TypeError, ValueError) as exc:
            msg = f"{path}.{exc}"
            raise ValueError(msg) from None


@dataclass(frozen=True)
class Option:
    """One option in a decision (including, where reasonable, waiting or no treatment).

    Parameters
    ----------
    name
        A short name ("Physical therapy", "Wait and see for 6 weeks").
    description
        What the option involves for the person (visits, time, cost).
    outcomes
        Its :class:`Outcome` items, benefits and harms.
    """

    name: str
    description: str = ""
    outcomes: tuple[Outcome, ...] = ()

    def __post_init__(self) -> None:
        if not _check_text("name", self.name).strip():
            msg = "name: an option needs a name, got an empty string"
            raise ValueError(msg)
        object.__setattr__(self, "name", self.name.strip())
        _check_text("description", self.description)
        items = tuple(self.outcomes)
        for i, item in enumerate(items):
            if not isinstance(item, Outcome):
                msg = f"outcomes[{i}]: expected an Outcome, got {item!r}"
                raise ValueError(msg)
        object.__setattr__(self, "outcomes", items)

    @property
    def benefits(self) -> tuple[Outcome, ...]:
        """The outcomes of kind ``"benefit"``."""
        return tuple(o for o in self.outcomes if o.kind == "benefit")

    @property
    def harms(self) -> tuple[Outcome, ...]:
        """The outcomes of kind ``"harm"``."""
        return tuple(o for o in self.outcomes if o.kind == "harm")

    def to_dict(self) -> dict[str, Any]:
        """Return the option as plain JSON-able data."""
        return {
            "name": self.name,
            "description": self.description,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "option") -> Option:
        """Rebuild an option from :meth:`to_dict` output; ``ValueError`` names the bad field."""
        data = _reject_unknown(path, data, ("name", "description", "outcomes"))
        outcomes = data.get("outcomes", [])
        if isinstance(outcomes, str | Mapping) or not isinstance(outcomes, Sequence):
            msg = f"{path}.outcomes: expected a list, got {outcomes!r}"
            raise ValueError(msg)
        parsed = tuple(
            Outcome.from_dict(o, f"{path}.outcomes[{i}]") for i, o in enumerate(outcomes)
        )
        try:
            return cls(data.get("name", ""), data.get("description", ""), parsed)
        except ValueError as exc:
            msg = f"{path}.{exc}"
            raise ValueError(msg) from None


@dataclass(frozen=True)
class ValueStatement:
    """Something that matters to the person in this decision, and how much (values clarification).

    Parameters
    ----------
    statement
        In the person's words ("Being able to keep working my shifts").
    importance
        0 (does not matter to me) to 10 (matters most).
    """

    statement: str
    importance: int = 5

    def __post_init__(self) -> None:
        if not _check_text("statement", self.statement).strip():
            msg = "statement: a value statement needs text, got an empty string"
            raise ValueError(msg)
        value = self.importance
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            msg = f"importance: expected an integer in 0-10, got {value!r}"
            raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the statement as plain JSON-able data."""
        return {"statement": self.statement, "importance": self.importance}


@dataclass(frozen=True)
class DecisionAid:
    """A short patient decision aid: the decision, options, outcomes, uncertainty and values.

    Parameters
    ----------
    decision
        The decision, stated as a question ("Should I start physical therapy now or wait?").
    condition
        The health problem, in plain language.
    options
        The :class:`Option` items; names must differ.
    uncertainty
        What is not known, or how good the evidence is.
    values
        :class:`ValueStatement` items (what matters most to the person).
    sources
        Evidence sources, with dates.
    """

    decision: str = ""
    condition: str = ""
    options: tuple[Option, ...] = ()
    uncertainty: str = ""
    values: tuple[ValueStatement, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("decision", "condition", "uncertainty"):
            _check_text(name, getattr(self, name))
        options = tuple(self.options)
        seen: set[str] = set()
        for i, option in enumerate(options):
            if not isinstance(option, Option):
                msg = f"options[{i}]: expected an Option, got {option!r}"
                raise ValueError(msg)
            if option.name.casefold() in seen:
                msg = (
                    f"options[{i}].name: {option.name!r} is used twice; "
                    "give each option its own name"
                )
                raise ValueError(msg)
            seen.add(option.name.casefold())
        object.__setattr__(self, "options", options)
        values = tuple(self.values)
        for i, value in enumerate(values):
            if not isinstance(value, ValueStatement):
                msg = f"values[{i}]: expected a ValueStatement, got {value!r}"
                raise ValueError(msg)
        object.__setattr__(self, "values", values)
        object.__setattr__(
            self, "sources", tuple(s.strip() for s in _texts("sources", self.sources) if s.strip())
        )

    def option(self, name: str) -> Option:
        """Return the option called ``name`` (``ValueError`` lists the known names)."""
        for option in self.options:
            if option.name == name:
                return option
        known = ", ".join(o.name for o in self.options) or "none yet"
        msg = f"option: {name!r} is not an option of this decision aid; known: {known}"
        raise ValueError(msg)

    def to_dict(self) -> dict[str, Any]:
        """Return the decision aid as plain JSON-able data."""
        return {
            "decision": self.decision,
            "condition": self.condition,
            "options": [o.to_dict() for o in self.options],
            "uncertainty": self.uncertainty,
            "values": [v.to_dict() for v in self.values],
            "sources": list(self.sources),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionAid:
        """Rebuild a decision aid from :meth:`to_dict` output; ``ValueError`` names the field."""
        names = ("decision", "condition", "options", "uncertainty", "values", "sources")
        data = _reject_unknown("decision_aid", data, names)
        kwargs: dict[str, Any] = {
            k: data[k] for k in ("decision", "condition", "uncertainty") if k in data
        }
        for key in ("options", "values"):
            items = data.get(key, [])
            if isinstance(items, str | Mapping) or not isinstance(items, Sequence):
                msg = f"{key}: expected a list, got {items!r}"
                raise ValueError(msg)
        kwargs["options"] = tuple(
            Option.from_dict(o, f"options[{i}]") for i, o in enumerate(data.get("options", []))
        )
        values = []
        for i, v in enumerate(data.get("values", [])):
            v = _reject_unknown(f"values[{i}]", v, ("statement", "importance"))
            try:
                values.append(ValueStatement(**v))
            except (TypeError, ValueError) as exc:
                msg = f"values[{i}].{exc}"
                raise ValueError(msg) from None
        kwargs["values"] = tuple(values)
        kwargs["sources"] = data.get("sources", ())
        return cls(**kwargs)


def with_option(aid: DecisionAid, option: Option) -> DecisionAid:
    """Return ``aid`` with ``option`` added last (``ValueError`` if the name is taken)."""
    return replace(aid, options=(*aid.options, option))


def without_option(aid: DecisionAid, name: str) -> DecisionAid:
    """Return ``aid`` without the option called ``name``."""
    aid.option(name)
    return replace(aid, options=tuple(o for o in aid.options if o.name != name))


def with_outcome(aid: DecisionAid, option_name: str, outcome: Outcome) -> DecisionAid:
    """Return ``aid`` with ``outcome`` added to the option called ``option_name``."""
    target = aid.option(option_name)
    new = replace(target, outcomes=(*target.outcomes, outcome))
    return replace(aid, options=tuple(new if o is target else o for o in aid.options))


def without_outcome(aid: DecisionAid, option_name: str, index: int) -> DecisionAid:
    """Return ``aid`` without outcome ``index`` (0 = first) of the option ``option_name``."""
    target = aid.option(option_name)
    n = len(target.outcomes)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        msg = f"index: option {option_name!r} has outcomes 0-{n - 1}, got {index!r}"
        raise ValueError(msg)
    new = replace(target, outcomes=target.outcomes[:index] + target.outcomes[index + 1 :])
    return replace(aid, options=tuple(new if o is target else o for o in aid.options))


def with_value(aid: DecisionAid, value: ValueStatement) -> DecisionAid:
    """Return ``aid`` with a values-clarification statement added last."""
    return replace(aid, values=(*aid.values, value))


def without_value(aid: DecisionAid, index: int) -> DecisionAid:
    """Return ``aid`` without value statement ``index`` (0 = first)."""
    n = len(aid.values)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
        msg = f"index: expected a value statement in 0-{n - 1}, got {index!r}"
        raise ValueError(msg)
    return replace(aid, values=aid.values[:index] + aid.values[index + 1 :])


def _md_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def decision_aid_to_markdown(aid: DecisionAid) -> str:
    """Render a decision aid as Markdown: options with natural frequencies, uncertainty, values.

    Returns
    -------
    str
        Markdown text ending with a newline.
    """
    out = [f"# {_md_line(aid.decision) or 'Decision aid'}", ""]
    if aid.condition.strip():
        out += ["## The health problem", "", _md_line(aid.condition), ""]
    out += ["## Your options", ""]
    if not aid.options:
        out += ["_No options yet._", ""]
    for option in aid.options:
        out += [f"### {_md_line(option.name)}", ""]
        if option.description.strip():
            out += [_md_line(option.description), ""]
        if option.outcomes:
            out += ["| | What can happen | How many | Source |", "|---|---|---|---|"]
            for x in option.outcomes:
                how = (
                    natural_frequency(x.per_100, x.timeframe)
                    if x.per_100 is not None
                    else "not known"
                )
                kind = "Benefit" if x.kind == "benefit" else "Harm"
                out.append(
                    f"| {kind} | {_md_line(x.description)} | {how} | {_md_line(x.source) or '-'} |"
                )
            out.append("")
    out += ["## What is uncertain", "", _md_line(aid.uncertainty) or "_Not yet described._", ""]
    out += ["## What matters most to me", ""]
    ranked = sorted(aid.values, key=lambda v: -v.importance)
    out += [f"- {_md_line(v.statement)} (importance {v.importance}/10)" for v in ranked] or [
        "_Not yet recorded._"
    ]
    out += ["", "## Sources", ""]
    out += [f"- {_md_line(s)}" for s in aid.sources] or ["_See the source next to each number._"]
    out += [
        "",
        "---",
        "",
        "_Drafted as a learning exercise; check every number against its source before use._",
        "",
    ]
    return "\n".join(out)
