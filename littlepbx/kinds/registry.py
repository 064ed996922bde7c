"""The registry of kinds: every kind of organization configuration, in dependency order."""
from __future__ import annotations

from littlepbx.errors import NotFound
from littlepbx.kinds.base import Kind

_KINDS: dict[str, Kind] = {}


def register(kind_class: type[Kind]) -> Kind:
    """Declare a kind (a class decorator): its tables are built and it joins the registry.
    Register a kind after the kinds it refers to."""
    kind = kind_class()
    if kind.name in _KINDS:
        raise ValueError(f"kind {kind.name!r} is declared twice")
    for name, rule in kind.fields.items():
        if rule.refers_to and rule.refers_to not in _KINDS and rule.refers_to != kind.name:
            raise ValueError(f"{kind.name}.{name} refers to {rule.refers_to!r}, which is not declared before it")
    _KINDS[kind.name] = kind
    return kind


def all_kinds() -> list[Kind]:
    """Every kind, in the order they were declared (targets of references first)."""
    return list(_KINDS.values())


def kind_named(name: str) -> Kind:
    """The kind called ``name``."""
    try:
        return _KINDS[name]
    except KeyError:
        raise NotFound(f"no kind of configuration {name!r}") from None
