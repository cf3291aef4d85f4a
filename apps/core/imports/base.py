"""What an import resource is: the columns of its file, its natural key, and how a batch of records is written.

One module per business app (`apps/<app>/resources.py`) defines its resources and registers them:

    @register
    class BuyerResource(ModelResource): ...

The engine (engine.py) reads the file, matches headers, groups and batches rows, and calls
`load_batch` inside a transaction; commands and the admin call the engine.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

# What to do with a record whose natural key already exists.
#   "compare": identical -> unchanged; different -> a row error asking for --update or --skip-existing
#   "update":  identical -> unchanged; different -> updated
#   "skip":    left as it is -> skipped
Existing = Literal["compare", "update", "skip"]
Outcome = Literal["created", "updated", "unchanged", "skipped"]


@dataclass(frozen=True)
class Column:
    """A column of the file: its canonical header, other headers accepted for it, and an example value."""

    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""
    help: str = ""


@dataclass(frozen=True)
class RowError:
    row: int  # the row number in the file (the header is row 1); 0 for the file as a whole
    column: str  # canonical column name, "" for the row or the file
    value: str
    message: str


@dataclass
class Record:
    """One thing to write: a row, or (grouped resources) the rows sharing a key, e.g. an order and its lines."""

    key: tuple
    rows: list[tuple[int, dict[str, Any]]]  # (row number, {canonical column: cell value}); empty cells are ""

    @property
    def first_row(self) -> int:
        return self.rows[0][0]


@dataclass
class BatchResult:
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # index in the batch -> what happened
    errors: list[RowError] = field(default_factory=list)  # records with errors are written not at all


class Resource:
    """Subclass per import type; see ModelResource for master data that maps one row to one model row."""

    name: ClassVar[str]  # the command's RESOURCE argument, e.g. "buyers"
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    key: ClassVar[tuple[str, ...]]  # canonical column names forming the natural key
    grouped: ClassVar[bool] = False  # True: rows with the same key are one record (an order and its lines)
    filterset_class: ClassVar[type | None] = None  # the API list's FilterSet: exports take the same filters

    def load_batch(self, records: list[Record], *, existing: Existing) -> BatchResult:
        """Validate and write the records with a fixed number of queries (not per row); called in a transaction."""
        raise NotImplementedError

    # Exports write the same columns, so an exported file imports back unchanged.
    def export_rows(self, queryset) -> Iterator[list]:
        """One list of values per row of the file, in `columns` order (several rows per record if grouped)."""
        raise NotImplementedError

    def export_queryset(self, params: dict):
        """The rows to export, filtered as the API filters this resource's list (its FilterSet)."""
        raise NotImplementedError

    def filtered(self, params, queryset):
        """The queryset as the API's list filters it with these query parameters; ValueError for bad ones."""
        if self.filterset_class is None:
            return queryset
        filterset = self.filterset_class(params, queryset=queryset)
        if not filterset.is_valid():
            raise ValueError(filterset.errors)
        return filterset.qs


REGISTRY: dict[str, type[Resource]] = {}


def register(resource: type[Resource]) -> type[Resource]:
    REGISTRY[resource.name] = resource
    return resource


def get_resource(name: str) -> Resource:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("resources")
    try:
        return REGISTRY[name]()
    except KeyError:
        raise KeyError(f"Unknown resource {name!r}; known: {', '.join(sorted(REGISTRY))}.") from None
