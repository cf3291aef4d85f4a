"""Who may do what through the API: every resource, every operation, every role — as data.

Read off the grants in each app's `migrations/0002_*.py` (and core's 0006 for staff_admin) and
the views' `action_permissions`, never by running the code; `test_role_matrix.py` checks the
API against it. `y` allowed, `-` refused with 403, `405` a method the route offers to nobody.

Operations: list (GET on the list URL), retrieve (GET detail), create (POST list), update
(PUT detail), partial_update (PATCH detail), destroy (DELETE detail), and each workflow action
by its view method's name (POST detail, or POST list for draft_purchase_orders; GET for download).
`reports:<key>` is one report; reports need the view permission on the data they summarise.
Jobs: each user acts on a job of their own here (anyone's: test_role_matrix's object-level tests).
"""

from dataclasses import dataclass

ROLES = ("merchandiser", "sales", "purchasing", "warehouse", "viewer", "staff_admin")

MATRIX = """
resource                                operation              merchandiser sales purchasing warehouse viewer staff_admin
buyers                                  list                   y            y     y          y         y      y
buyers                                  retrieve               y            y     y          y         y      y
buyers                                  create                 y            y     -          -         -      y
buyers                                  update                 y            y     -          -         -      y
buyers                                  partial_update         y            y     -          -         -      y
buyers                                  destroy                405
warehouses                              list                   y            y     y          y         y      y
warehouses                              retrieve               y            y     y          y         y      y
warehouses                              create                 -            -     -          y         -      y
warehouses                              update                 -            -     -          y         -      y
warehouses                              partial_update         -            -     -          y         -      y
warehouses                              destroy                405
materials                               list                   y            y     y          y         y      y
materials                               retrieve               y            y     y          y         y      y
materials                               create                 -            -     y          -         -      y
materials                               update                 -            -     y          -         -      y
materials                               partial_update         -            -     y          -         -      y
materials                               destroy                405
stock-levels                            list                   y            y     y          y         y      y
stock-levels                            retrieve               y            y     y          y         y      y
stock-levels                            create                 405
stock-levels                            update                 405
stock-levels                            partial_update         405
stock-levels                            destroy                405
stock-movements                         list                   y            y     y          y         y      y
stock-movements                         retrieve               y            y     y          y         y      y
stock-movements                         create                 -            -     -          y         -      y
stock-movements                         update                 405
stock-movements                         partial_update         405
stock-movements                         destroy                405
size-ranges                             list                   y            y     y          y         y      y
size-ranges                             retrieve               y            y     y          y         y      y
size-ranges                             create                 y            -     -          -         -      y
size-ranges                             update                 y            -     -          -         -      y
size-ranges                             partial_update         y            -     -          -         -      y
size-ranges                             destroy                y            -     -          -         -      y
styles                                  list                   y            y     y          y         y      y
styles                                  retrieve               y            y     y          y         y      y
styles                                  create                 y            -     -          -         -      y
styles                                  update                 y            -     -          -         -      y
styles                                  partial_update         y            -     -          -         -      y
styles                                  destroy                405
samples                                 list                   y            y     y          y         y      y
samples                                 retrieve               y            y     y          y         y      y
samples                                 create                 y            -     -          -         -      y
samples                                 update                 y            -     -          -         -      y
samples                                 partial_update         y            -     -          -         -      y
samples                                 destroy                405
samples                                 transition             y            -     -          -         -      y
samples                                 measurements           y            -     -          -         -      y
tech-packs                              list                   y            y     y          y         y      y
tech-packs                              retrieve               y            y     y          y         y      y
tech-packs                              create                 y            -     -          -         -      y
tech-packs                              update                 y            -     -          -         -      y
tech-packs                              partial_update         y            -     -          -         -      y
tech-packs                              destroy                405
tech-packs                              new_version            y            -     -          -         -      y
orders                                  list                   y            y     y          y         y      y
orders                                  retrieve               y            y     y          y         y      y
orders                                  create                 -            y     -          -         -      y
orders                                  update                 -            y     -          -         -      y
orders                                  partial_update         -            y     -          -         -      y
orders                                  destroy                405
orders                                  confirm                -            y     -          -         -      y
orders                                  start_production       -            y     -          -         -      y
orders                                  ship                   -            y     -          -         -      y
orders                                  close                  -            y     -          -         -      y
orders                                  cancel                 -            y     -          -         -      y
orders                                  milestones             y            y     y          y         y      y
order-lines                             list                   y            y     y          y         y      y
order-lines                             retrieve               y            y     y          y         y      y
order-lines                             create                 405
order-lines                             update                 405
order-lines                             partial_update         405
order-lines                             destroy                405
order-milestones                        list                   y            y     y          y         y      y
order-milestones                        retrieve               y            y     y          y         y      y
order-milestones                        create                 405
order-milestones                        update                 405
order-milestones                        partial_update         y            y     -          -         -      y
order-milestones                        destroy                405
suppliers                               list                   y            -     y          y         y      y
suppliers                               retrieve               y            -     y          y         y      y
suppliers                               create                 -            -     y          -         -      y
suppliers                               update                 -            -     y          -         -      y
suppliers                               partial_update         -            -     y          -         -      y
suppliers                               destroy                405
supplier-materials                      list                   -            -     y          y         y      y
supplier-materials                      retrieve               -            -     y          y         y      y
supplier-materials                      create                 -            -     y          -         -      y
supplier-materials                      update                 -            -     y          -         -      y
supplier-materials                      partial_update         -            -     y          -         -      y
supplier-materials                      destroy                -            -     y          -         -      y
purchase-orders                         list                   y            -     y          y         y      y
purchase-orders                         retrieve               y            -     y          y         y      y
purchase-orders                         create                 -            -     y          -         -      y
purchase-orders                         update                 -            -     y          -         -      y
purchase-orders                         partial_update         -            -     y          -         -      y
purchase-orders                         destroy                405
purchase-orders                         send                   -            -     y          -         -      y
purchase-orders                         cancel                 -            -     y          -         -      y
purchase-orders                         receive                -            -     -          y         -      y
purchase-order-lines                    list                   y            -     y          y         y      y
purchase-order-lines                    retrieve               y            -     y          y         y      y
purchase-order-lines                    create                 405
purchase-order-lines                    update                 405
purchase-order-lines                    partial_update         405
purchase-order-lines                    destroy                405
material-requirements                   list                   y            -     y          y         y      y
material-requirements                   create                 405
material-requirements                   draft_purchase_orders  -            -     y          -         -      y
jobs                                    list                   y            y     y          y         y      y
jobs                                    retrieve               y            y     y          y         y      y
jobs                                    create                 405
jobs                                    update                 405
jobs                                    partial_update         405
jobs                                    destroy                405
jobs                                    retry                  y            y     y          y         y      y
jobs                                    cancel                 y            y     y          y         y      y
jobs                                    download               y            y     y          y         y      y
reports                                 list                   y            y     y          y         y      y
reports                                 create                 405
reports:sales_by_buyer_month            retrieve               y            y     y          y         y      y
reports:sales_by_buyer_month            update                 405
reports:sales_by_buyer_month            partial_update         405
reports:sales_by_buyer_month            destroy                405
reports:sales_by_buyer_month            run                    y            y     y          y         y      y
reports:order_book_by_status            retrieve               y            y     y          y         y      y
reports:order_book_by_status            run                    y            y     y          y         y      y
reports:sample_turnaround               retrieve               y            y     y          y         y      y
reports:sample_turnaround               run                    y            y     y          y         y      y
reports:inventory_valuation             retrieve               y            y     y          y         y      y
reports:inventory_valuation             run                    y            y     y          y         y      y
reports:below_reorder_level             retrieve               y            y     y          y         y      y
reports:below_reorder_level             run                    y            y     y          y         y      y
reports:open_purchase_orders_by_supplier retrieve              y            -     y          y         y      y
reports:open_purchase_orders_by_supplier run                   y            -     y          y         y      y
"""  # noqa: E501 - a table reads better unbroken

# (HTTP method, on the detail URL) of the standard operations; a workflow action not listed is a POST on the detail.
OPERATIONS = {
    "list": ("GET", False),
    "retrieve": ("GET", True),
    "create": ("POST", False),
    "update": ("PUT", True),
    "partial_update": ("PATCH", True),
    "destroy": ("DELETE", True),
    "draft_purchase_orders": ("POST", False),
    "download": ("GET", True),
    "milestones": ("GET", True),
    "measurements": ("PUT", True),
}


@dataclass(frozen=True)
class Case:
    """One operation on one resource, and the roles allowed to do it (None: offered to nobody, 405)."""

    resource: str  # the router prefix, e.g. "purchase-orders"
    key: str | None  # the object a detail operation acts on, when fixed by the matrix (a report's key)
    operation: str
    allowed: frozenset[str] | None

    @property
    def method(self) -> str:
        return OPERATIONS.get(self.operation, ("POST", True))[0]

    @property
    def detail(self) -> bool:
        return OPERATIONS.get(self.operation, ("POST", True))[1]

    @property
    def suffix(self) -> str:
        """The action's URL segment ("start-production/"), empty for the standard operations."""
        standard = self.operation in ("list", "retrieve", "create", "update", "partial_update", "destroy")
        return "" if standard else self.operation.replace("_", "-") + "/"

    def __str__(self) -> str:
        return f"{self.resource}{':' + self.key if self.key else ''}.{self.operation}"


def _parse(table: str) -> list[Case]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    if tuple(header[2:]) != ROLES:
        raise ValueError(f"The matrix's columns must be {ROLES}, not {header[2:]}")
    cases = []
    for row in rows:
        resource, _, key = row[0].partition(":")
        marks = row[2:]
        if marks == ["405"]:
            allowed = None
        elif len(marks) == len(ROLES) and set(marks) <= {"y", "-"}:
            allowed = frozenset(role for role, mark in zip(ROLES, marks, strict=True) if mark == "y")
        else:
            raise ValueError(f"Bad matrix row: {' '.join(row)}")
        cases.append(Case(resource, key or None, row[1], allowed))
    return cases


CASES = _parse(MATRIX)
