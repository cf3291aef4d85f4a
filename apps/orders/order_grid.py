"""The admin's colour x size grid for order lines.

Staff enter an order as style blocks, each one style at one unit price with a table of its
colourways (rows) by the sizes of its range (columns). The blocks are a formset inside the
order's admin form; on save every filled cell becomes one OrderLine, checked by the rules the
API uses (services.order_grid_check) and saved by the order services.
"""

import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

from apps.core.grids import Cell, matrix_from_cells, whole_number
from apps.samples.models import Style

from . import services
from .models import Order, OrderLine

PREFIX = "blocks"  # of the style blocks' form fields: blocks-0-style, blocks-0-quantities[Navy][M]
# A cell input is named "<field name>[<colour>][<size>]" (sizes never contain "]").
CELL_NAME = re.compile(r"^\[(?P<colour>.+)\]\[(?P<size>[^\]]+)\]$")
STYLE_NAME = re.compile(rf"{PREFIX}-[0-9]+-style")  # a block's style field in the posted data


def _pieces(quantity) -> int:
    """A cell's quantity for the totals: what is not a whole number yet counts as none."""
    return whole_number(quantity) or 0


def _filled(matrix: dict) -> dict:
    """{(colour, size): quantity as typed} of the cells holding something other than blank or 0."""
    return {
        (colour, size): str(quantity).strip()
        for colour, row in matrix.items()
        for size, quantity in row.items()
        if str(quantity).strip() not in ("", "0")
    }


@dataclass
class GridTable:
    """What the grid template shows: rows of (colour, [(size, quantity)], row total), the column totals, the total."""

    sizes: list
    rows: list
    column_totals: list
    total: int


def grid_table(matrix: dict, *, colours: list[str], sizes: list[str]) -> GridTable:
    """The style's colours and sizes, then any others the matrix holds (a renamed colourway, an old size)."""
    colours = [*colours, *(colour for colour in matrix if colour not in colours)]
    extra_sizes = {size: None for row in matrix.values() for size in row if size not in sizes}
    sizes = [*sizes, *extra_sizes]
    rows = []
    for colour in colours:
        cells = [(size, matrix.get(colour, {}).get(size, "")) for size in sizes]
        rows.append((colour, cells, sum(_pieces(quantity) for _, quantity in cells)))
    column_totals = [sum(_pieces(cells[index][1]) for _, cells, _ in rows) for index in range(len(sizes))]
    return GridTable(sizes=sizes, rows=rows, column_totals=column_totals, total=sum(column_totals))


class GridWidget(forms.Widget):
    """A table of number inputs named "<name>[<colour>][<size>]", with row, column and grand totals
    (static/orders/grid.js keeps them current). Its value is the matrix {colour: {size: quantity}};
    the form sets the style's colours and sizes, or the notice to show instead of a table."""

    template_name = "orders/grid_widget.html"  # in the app: Django's form renderer reads app templates only

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.colours, self.sizes, self.notice, self.readonly = [], [], "", False

    def value_from_datadict(self, data, files, name):
        matrix = {}
        for key, quantity in data.items():
            cell = CELL_NAME.match(key[len(name) :]) if key.startswith(name) else None
            if cell:
                matrix.setdefault(cell["colour"], {})[cell["size"]] = quantity
        return matrix

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        table = grid_table(value or {}, colours=self.colours, sizes=self.sizes)
        context["widget"].update(table=table, notice=self.notice, readonly=self.readonly)
        return context


class GridField(forms.Field):
    """The matrix of one style block; its checks need the style, so the block form makes them."""

    widget = GridWidget

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return _filled(initial or {}) != _filled(data or {})


def shown_styles(values) -> dict[int, Style]:
    """The styles blocks name (in their posted data or initial values), with their sizes and colourways, by id:
    one query for the lot (and one for their colourways). Values that are no id are left out."""
    ids = {pk for pk in map(whole_number, values) if pk is not None}
    return {style.pk: style for style in Style.objects.with_specs().filter(pk__in=ids)} if ids else {}


class StyleSelect(AutocompleteSelect):
    """The style picker. Its selected option comes from `shown`, the block's style already loaded with the
    others (shown_styles), rather than from a query of its own for each block."""

    shown: Style | None = None

    def optgroups(self, name, value, attr=None):
        if self.shown is None or [str(pk) for pk in value] != [str(self.shown.pk)]:
            return super().optgroups(name, value, attr)
        label = self.choices.field.label_from_instance(self.shown)
        return [(None, [self.create_option(name, self.shown.pk, label, True, 0)], 0)]


class StyleBlockForm(forms.Form):
    """One style of the order at one unit price, and its quantities by colour and size."""

    style = forms.ModelChoiceField(
        queryset=Style.objects.all(), widget=StyleSelect(OrderLine._meta.get_field("style"), admin.site)
    )
    unit_price = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    quantities = GridField()

    def __init__(self, *args, readonly: bool = False, styles: dict[int, Style] | None = None, **kwargs):
        """styles: shown_styles() of every block of the formset, so that each block does not query its own."""
        super().__init__(*args, **kwargs)
        value = self["style"].value()
        if styles is None:
            styles = shown_styles([value])
        style = self.shown_style = self.fields["style"].widget.shown = styles.get(whole_number(value))
        grid = self.fields["quantities"].widget
        grid.readonly = readonly
        if style is None:
            grid.notice = "Choose a style to enter its quantities by colour and size."
        elif style.size_range is None or not style.colourways.all():
            grid.notice = f"Style {style.code} needs a size range and colourways before it can be ordered."
        else:
            grid.colours = [colourway.name for colourway in style.colourways.all()]
            grid.sizes = style.size_range.sizes


class StyleBlockFormSet(forms.BaseFormSet):
    """The order's style blocks. clean() turns them into order lines (`lines`) by the rules the API
    uses (services.order_grid_check), each problem shown on the block it concerns. Set `buyer_id`
    first; while it is None (no buyer chosen yet) the blocks are only checked field by field."""

    buyer_id = None

    def clean(self):
        self.lines = []
        if any(self.errors):
            return
        blocks = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if not blocks:
            raise ValidationError("An order needs at least one line: choose a style and enter its quantities.")
        if self.buyer_id is None:
            return
        lines, errors = services.order_grid_check(buyer_id=self.buyer_id, grid=[form.cleaned_data for form in blocks])
        for index, fields in errors.items():
            for field, messages in fields.items():
                for message in messages:
                    blocks[index].add_error(field if field in blocks[index].fields else "quantities", message)
        if not errors:
            self.lines = lines


BlockFormSet = forms.formset_factory(StyleBlockForm, formset=StyleBlockFormSet, extra=0, can_delete=True)


def grid_initial(order: Order) -> list[dict]:
    """The order's lines as blocks: one per style and unit price, in the order they were entered."""
    blocks: dict[tuple, list[Cell]] = {}
    for line in order.lines.order_by("id"):
        blocks.setdefault((line.style_id, line.unit_price), []).append(Cell(line.colour, line.size, line.quantity))
    # The table puts rows and columns in the style's order; here only the cells matter.
    return [
        {"style": style_id, "unit_price": unit_price, "quantities": matrix_from_cells(cells, colours=(), sizes=())}
        for (style_id, unit_price), cells in blocks.items()
    ]


class OrderForm(forms.ModelForm):
    """The order header with its lines as style blocks (`grid`). After validation `lines` holds the lines
    to save: the grid's, or None when they are unchanged or may not change (then they are not checked)."""

    lines_editable = True  # the admin sets it per request: the order's status and the user's permission

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial_blocks = grid_initial(self.instance) if self.instance.pk else []
        self.grid = self._grid(self.data if self.is_bound and self.lines_editable else None)
        self.lines = None

    def _grid(self, data) -> StyleBlockFormSet:
        named = [block["style"] for block in self.initial_blocks]
        if data is not None:
            named += [value for key, value in data.items() if STYLE_NAME.fullmatch(key)]
        styles = shown_styles(named)
        form_kwargs = {"readonly": not self.lines_editable, "styles": styles}
        grid = BlockFormSet(data, prefix=PREFIX, initial=self.initial_blocks, form_kwargs=form_kwargs)
        grid.extra = 0 if self.initial_blocks else 1  # a new order opens with one empty block
        return grid

    @property
    def media(self):
        return super().media + self.grid.media

    def clean(self):
        cleaned_data = super().clean()
        if not self.lines_editable:
            return cleaned_data
        if not (self.instance._state.adding or self.grid.has_changed()):
            self.grid = self._grid(None)  # shown as stored, not checked: lines saved earlier stay as they are
            return cleaned_data
        buyer = cleaned_data.get("buyer") if "buyer" in self.fields else self.instance.buyer
        if buyer and self.instance._state.adding:
            try:
                services.buyer_takes_orders_check(buyer)
            except ValidationError as error:
                self.add_error(None, error)  # its dict names the buyer field
        self.grid.buyer_id = buyer.pk if buyer else None
        if not self.grid.is_valid():
            raise ValidationError("The order lines have problems: see the grid below.")
        self.lines = self.grid.lines
        return cleaned_data
