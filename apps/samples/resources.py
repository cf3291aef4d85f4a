"""Styles with their bills of materials: one row per bill-of-materials line, grouped by style code.

The style's own columns (name, buyer, season, category, target price, active, size range,
colourways) are read from the group's first row; a later row may leave them empty, but may not
say something else. A style without a bill of materials is one row with the material columns
empty. The rows of a style are its whole bill: importing a style whose bill differs replaces the
bill (with --update). Colourways are one cell, "Navy|White|Black": given, they become the style's
colourways (an existing one keeps its colour code); left empty, they stay as they are.

Writes bypass style_create/style_update/style_set_colourways/style_set_materials (one INSERT per
batch, not one per style) and apply their rules: the API serializers (StyleSerializer,
StyleMaterialSerializer), the models' full_clean() without the queries of unique and constraint
checks, a material listed once per style, a colourway named once, a style's buyer never changing,
and the colours and sizes its order lines use kept by its colourways and size range.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from apps.buyers.models import Buyer
from apps.core import cache
from apps.core.audit import bulk_create_audited, bulk_delete_audited, bulk_update_audited
from apps.core.imports.base import BatchResult, Column, Existing, Record, Resource, RowError, register
from apps.core.imports.validation import (
    by_natural_key,
    cell_text,
    clean_without_queries,
    conflicting_values,
    row_errors,
    validate_rows,
)
from apps.inventory.models import Material

from .api.filters import StyleFilterSet
from .api.serializers import StyleMaterialSerializer, StyleSerializer
from .models import Colourway, SizeRange, Style, StyleMaterial

HEADER = ("name", "buyer_code", "season", "category", "target_price", "is_active", "size_range", "colourways")
BOM = ("material_code", "consumption_per_piece", "wastage_percent")
# Serializer field -> column, where they differ.
COLUMN_OF = {"buyer": "buyer_code", "material": "material_code"}
COMPARED = ("name", "season", "category", "target_price", "is_active", "size_range")
COLOURWAY_SEPARATOR = "|"


class StyleImportSerializer(StyleSerializer):
    """The API's style fields and rules without the nested bill, which is validated row by row."""

    materials = None

    class Meta(StyleSerializer.Meta):
        fields = ["code", "name", "buyer", "season", "category", "target_price", "is_active", "size_range"]


@register
class StyleResource(Resource):
    name = "styles"
    title = "Styles with their bills of materials (one row per material)"
    grouped = True
    key = ("code",)
    filterset_class = StyleFilterSet
    columns = (
        Column("code", required=True, aliases=("style", "style code", "style no"), example="NX-OX-101"),
        Column("name", required=True, aliases=("style name", "description"), example="Oxford shirt, long sleeve"),
        Column("buyer_code", required=True, aliases=("buyer",), example="B00047"),
        Column("season", required=True, example="SS27"),
        Column("category", required=True, example="shirts", help="tops, shirts, bottoms, dresses, outerwear, ..."),
        Column("target_price", aliases=("target", "target fob"), example="14.50"),
        Column("is_active", aliases=("active",), example="true", help="Defaults to true."),
        Column("size_range", aliases=("size range", "sizes"), example="XS-XXL", help="A size range's code."),
        Column(
            "colourways",
            aliases=("colourway", "colours", "colors"),
            example="Navy|White|Black",
            help="The colours it is offered in, separated by |.",
        ),
        Column("material_code", aliases=("material",), example="M00004", help="Empty for a style without a bill."),
        Column("consumption_per_piece", aliases=("consumption", "cons", "qty per piece"), example="1.3500"),
        Column("wastage_percent", aliases=("wastage", "wastage %", "wastage pct"), example="4"),
    )

    # --- Import --------------------------------------------------------------------------

    def load_batch(self, records: list[Record], *, existing: Existing) -> BatchResult:
        """Fetch buyers, size ranges, materials, existing styles with their colourways, and their bills in one
        query each; validate every style; then insert, update and replace colourways and bills with a fixed
        number of statements."""
        result = BatchResult()
        rows = [(number, values) for record in records for number, values in record.rows]
        buyers = by_natural_key(Buyer, "code", {cell_text(values.get("buyer_code")) for _, values in rows})
        ranges = by_natural_key(SizeRange, "code", {cell_text(values.get("size_range")) for _, values in rows})
        materials = by_natural_key(Material, "code", {cell_text(values.get("material_code")) for _, values in rows})
        current = {
            style.code: style
            for style in Style.objects.select_for_update(of=("self",))
            .with_specs()
            .filter(code__in=[str(r.key[0]) for r in records])
        }
        current_bills = _bills(StyleMaterial.objects.filter(style__in=list(current.values())))

        headers = validate_rows(
            StyleImportSerializer,
            [{"code": r.key[0], **_header_input(r)} for r in records],
            resolved={"buyer": buyers, "size_range": ranges},
        )
        colourways = [_colourway_names(record) for record in records]
        # The colours and sizes order lines use, of the styles whose colourways or size range would change.
        used = _used_by_order_lines(
            [
                current[header["code"]]
                for (status, header), (names, _) in zip(headers, colourways, strict=True)
                if existing == "update"
                and status == "ok"
                and header["code"] in current
                and _specs_change(current[header["code"]], header, names)
            ]
        )
        bom_rows = [(number, values) for number, values in rows if _has_bom(values)]
        bom_checked = dict(
            zip(
                [number for number, _ in bom_rows],
                validate_rows(
                    StyleMaterialSerializer,
                    [
                        {"material": values.get("material_code", ""), **{c: values.get(c, "") for c in BOM[1:]}}
                        for _, values in bom_rows
                    ],
                    resolved={"material": materials},
                ),
                strict=True,
            )
        )

        creates, updates, updated_fields, replaced, new_bills, new_colourways = [], [], set(), [], [], []
        for index, (record, (status, header)) in enumerate(zip(records, headers, strict=True)):
            names, problems = colourways[index]
            errors = [*problems, *conflicting_values(record, HEADER, "a style")]
            if status == "error":
                errors += row_errors(record.first_row, header, record.rows[0][1], columns=COLUMN_OF)
            bill, seen = [], {}
            for number, values in record.rows:
                if number not in bom_checked:
                    continue
                line_status, data = bom_checked[number]
                if line_status == "error":
                    errors += row_errors(number, data, values, columns=COLUMN_OF)
                    continue
                material = data["material"]
                if material.pk in seen:
                    errors.append(
                        RowError(
                            number,
                            "material_code",
                            material.code,
                            f"{material.code} is listed twice for this style (row {seen[material.pk]}).",
                        )
                    )
                    continue
                seen[material.pk] = number
                line = StyleMaterial(**data)
                errors += row_errors(
                    number, clean_without_queries(line, exclude=["style", "material"]), values, columns=COLUMN_OF
                )
                bill.append(line)
            if errors:
                result.errors += errors
                continue

            style = current.get(header["code"])
            if style is None:
                style = Style(**header)
                style_errors = clean_without_queries(style, exclude=["buyer", "size_range"])
                if style_errors:
                    result.errors += row_errors(record.first_row, style_errors, record.rows[0][1], columns=COLUMN_OF)
                    continue
                creates.append(style)
                new_bills.append((style, bill))
                new_colourways.append((style, names or [], []))
                result.outcomes[index] = "created"
                continue

            if header["buyer"].pk != style.buyer_id:
                result.errors.append(
                    RowError(
                        record.first_row,
                        "buyer_code",
                        header["buyer"].code,
                        f"Style {style.code} belongs to another buyer; a style's buyer never changes.",
                    )
                )
                continue
            changes = {f: v for f, v in header.items() if f in COMPARED and getattr(style, f) != v}
            bill_differs = current_bills.get(style.pk, {}) != _bill(bill)
            colourways_differ = names is not None and set(names) != {row.name for row in style.colourways.all()}
            if not changes and not bill_differs and not colourways_differ:
                result.outcomes[index] = "unchanged"
                continue
            if existing == "skip":
                result.outcomes[index] = "skipped"
                continue
            if existing == "compare":
                what = [f"{field} was {getattr(style, field)!s:.40}" for field in changes]
                what += ["its colourways differ"] if colourways_differ else []
                what += ["its bill of materials differs"] if bill_differs else []
                result.errors.append(
                    RowError(
                        record.first_row,
                        "code",
                        style.code,
                        f"Style {style.code} exists and differs ({'; '.join(what)}): "
                        "use --update to change it or --skip-existing to leave it.",
                    )
                )
                continue
            unkept = _specs_unkept(record, style, header, names, used.get(style.pk))
            if unkept:
                result.errors += unkept
                continue
            for field, value in changes.items():
                setattr(style, field, value)
            style_errors = clean_without_queries(style, exclude=["buyer", "size_range"])
            if style_errors:
                result.errors += row_errors(record.first_row, style_errors, record.rows[0][1], columns=COLUMN_OF)
                continue
            if changes:
                updates.append(style)
                updated_fields |= set(changes)
            if bill_differs:
                replaced.append(style.pk)
                new_bills.append((style, bill))
            if colourways_differ:
                new_colourways.append((style, names, list(style.colourways.all())))
            result.outcomes[index] = "updated"

        self._write(creates, updates, updated_fields, replaced, new_bills)
        _write_colourways(new_colourways)
        return result

    def _write(self, creates, updates, updated_fields, replaced, new_bills) -> None:
        if creates:
            bulk_create_audited(creates, Style)
        if updates:
            now = timezone.now()
            for style in updates:
                style.updated_at = now
            bulk_update_audited(updates, Style, sorted(updated_fields | {"updated_at"}))
        if replaced:
            bulk_delete_audited(StyleMaterial.objects.filter(style__in=replaced))
        lines = []
        for style, bill in new_bills:
            for line in bill:
                line.style = style
                lines.append(line)
        if lines:
            bulk_create_audited(lines, StyleMaterial)
        if creates or updates or new_bills:
            cache.bump(Style, StyleMaterial)  # bulk writes send no signals

    # --- Export --------------------------------------------------------------------------

    def export_queryset(self, params: dict):
        """The styles the API's style list keeps for these filters, with their bills (prefetched per chunk)."""
        bill = StyleMaterial.objects.select_related("material").order_by("id")
        return (
            self.filtered(params, Style.objects.all())
            .select_related("buyer")
            .with_specs()
            .prefetch_related(Prefetch("materials", queryset=bill))
            .order_by("code", "id")
        )

    def export_rows(self, queryset):
        """One row per bill-of-materials line (one row with empty material columns for a style without a bill)."""
        for style in queryset.iterator(chunk_size=1000):
            header = [
                style.code,
                style.name,
                style.buyer.code,
                style.season,
                style.category,
                "" if style.target_price is None else style.target_price,
                style.is_active,
                style.size_range.code if style.size_range else "",
                COLOURWAY_SEPARATOR.join(colourway.name for colourway in style.colourways.all()),
            ]
            lines = list(style.materials.all())
            if not lines:
                yield [*header, "", "", ""]
            for line in lines:
                yield [*header, line.material.code, line.consumption_per_piece, line.wastage_percent]


def _colourway_names(record: Record) -> tuple[list[str] | None, list[RowError]]:
    """The colourways cell as names (None if empty: not given), and its problems: a name twice, a name too long."""
    number, text = record.first_row, cell_text(record.rows[0][1].get("colourways"))
    if not text:
        return None, []
    names, seen, errors = [], set(), []
    for name in filter(None, (part.strip() for part in text.split(COLOURWAY_SEPARATOR))):
        if name.lower() in seen:
            errors.append(RowError(number, "colourways", text, f"{name} is listed twice (colourways ignore case)."))
            continue
        seen.add(name.lower())
        names.append(name)
        for messages in clean_without_queries(Colourway(name=name), exclude=["style"]).values():
            errors += [RowError(number, "colourways", text, f"{name}: {message}") for message in messages]
    return names, errors


def _specs_change(style: Style, header: dict, names: list[str] | None) -> bool:
    """Whether the import would change the style's size range or colourways."""
    range_changes = "size_range" in header and header["size_range"] != style.size_range
    return range_changes or (names is not None and set(names) != {row.name for row in style.colourways.all()})


def _used_by_order_lines(styles: list[Style]) -> dict[int, tuple[set[str], set[str]]]:
    """{style id: (colours, sizes)} that order lines of these styles use: one query (none for no styles)."""
    used = defaultdict(lambda: (set(), set()))
    if styles:
        lines = (
            Style.objects.filter(pk__in=[style.pk for style in styles], order_lines__isnull=False)
            .values_list("pk", "order_lines__colour", "order_lines__size")
            .order_by()
            .distinct()
        )
        for pk, colour, size in lines:
            used[pk][0].add(colour)
            used[pk][1].add(size)
    return used


def _specs_unkept(record: Record, style: Style, header: dict, names, used) -> list[RowError]:
    """As style_update and style_set_colourways refuse: a size or colour the style's order lines use must stay."""
    if used is None:
        return []
    colours, sizes = used
    errors, values = [], record.rows[0][1]
    if "size_range" in header and header["size_range"] != style.size_range:
        kept = {size.lower() for size in header["size_range"].sizes}
        if lost := sorted(size for size in sizes if size.lower() not in kept):
            message = f"Order lines of {style.code} use the sizes {', '.join(lost)}; the range must have them."
            errors.append(RowError(record.first_row, "size_range", cell_text(values.get("size_range")), message))
    kept = {name.lower() for name in names or ()}
    if names is not None and (lost := sorted(colour for colour in colours if colour.lower() not in kept)):
        message = f"Order lines of {style.code} use {', '.join(lost)}; keep those colourways."
        errors.append(RowError(record.first_row, "colourways", cell_text(values.get("colourways")), message))
    return errors


def _write_colourways(changes: list[tuple[Style, list[str], list[Colourway]]]) -> None:
    """Give each style exactly the named colourways: (style, names, its current rows). A current row named
    the same (in any case) stays, keeping its colour code, and takes the new spelling."""
    creates, respelt, deleted = [], [], []
    for style, names, rows in changes:
        current = {row.name.lower(): row for row in rows}
        wanted = {name.lower() for name in names}
        deleted += [row.pk for key, row in current.items() if key not in wanted]
        for name in names:
            row = current.get(name.lower())
            if row is None:
                creates.append(Colourway(style=style, name=name))
            elif row.name != name:
                row.name = name
                respelt.append(row)
    if deleted:
        bulk_delete_audited(Colourway.objects.filter(pk__in=deleted))
    if respelt:
        bulk_update_audited(respelt, Colourway, ["name"])
    if creates:
        bulk_create_audited(creates, Colourway)
    if creates or respelt or deleted:
        cache.bump(Colourway)  # bulk writes send no signals


def _has_bom(values: dict) -> bool:
    return any(cell_text(values.get(column)) for column in BOM)


def _header_input(record: Record) -> dict:
    values = record.rows[0][1]
    data = {column: values[column] for column in HEADER if column in values}
    if "buyer_code" in data:
        data["buyer"] = data.pop("buyer_code")
    return data


def _bill(lines) -> dict[int, tuple]:
    return {line.material_id: (Decimal(line.consumption_per_piece), Decimal(line.wastage_percent)) for line in lines}


def _bills(queryset) -> dict[int, dict[int, tuple]]:
    found = defaultdict(dict)
    for style_id, material_id, consumption, wastage in queryset.values_list(
        "style_id", "material_id", "consumption_per_piece", "wastage_percent"
    ):
        found[style_id][material_id] = (consumption, wastage)
    return found
