"""The registry of kinds: every kind of organization configuration, ordered so that the targets of
references come before the kinds that refer to them."""
from __future__ import annotations

from littlepbx.errors import NotFound
from littlepbx.kinds.base import Kind

_KINDS: dict[str, Kind] = {}
_ordered: list[Kind] | None = None


def register(kind_class: type[Kind]) -> Kind:
    """Declare a kind (a class decorator): its tables are built and it joins the registry."""
    global _ordered
    kind = kind_class()
    if kind.name in _KINDS:
        raise ValueError(f"kind {kind.name!r} is declared twice")
    _KINDS[kind.name] = kind
    _ordered = None
    return kind


def all_kinds() -> list[Kind]:
    """Every kind, targets of references first (Reset, Apply's checks and the page rely on it)."""
    global _ordered
    if _ordered is None:
        _ordered = _in_dependency_order()
    return list(_ordered)


def kind_named(name: str) -> Kind:
    """The kind called ``name``."""
    try:
        return _KINDS[name]
    except KeyError:
        raise NotFound(f"no kind of configuration {name!r}") from None


def _in_dependency_order() -> list[Kind]:
    """Kinds sorted so each comes after the kinds its fields refer to, where that is possible
    (then by name). Kinds may refer to each other in a circle (a menu's option goes to a time
    condition whose closed destination is another menu): a circle is broken where it is found."""
    ordered: list[Kind] = []
    placing: set[str] = set()

    def place(kind: Kind) -> None:
        if kind in ordered or kind.name in placing:
            return
        placing.add(kind.name)
        for name, rule in kind.fields.items():
            for target in sorted(rule.targets() - {kind.name}):
                if target not in _KINDS:
                    raise ValueError(f"{kind.name}.{name} refers to {target!r}, which is not a kind")
                place(_KINDS[target])
        placing.discard(kind.name)
        ordered.append(kind)

    for kind in sorted(_KINDS.values(), key=lambda k: k.name):
        place(kind)
    return ordered
