"""Ranked search for API lists (?search=) and admin search boxes, on core PostgreSQL only.

Each searchable model declares a `Search` beside it in models.py; its `indexes()` go in the
model's Meta, so the query and the indexes come from the same expressions and cannot drift apart:

- **codes** (code, number, reference) match by prefix, ignoring case: "zar" finds ZARA01,
  "SO00012" finds SO0001234. `UPPER(code) COLLATE "C" LIKE 'ZAR%'` is a range scan of a btree
  on UPPER(code) COLLATE "C": a btree serves LIKE only under the C collation, and our databases
  default to C.UTF-8 or en_US.UTF-8, which PostgreSQL 15 does not treat as C. (text_pattern_ops
  would do too, but Django renders an operator class in an index only with django.contrib.postgres
  installed; a collation needs nothing.)
- **words** (names; company and e-mail weigh less) match by full text: each word typed is a
  prefix ('alp':* & 'we':*) against a tsvector expression behind a GIN expression index, in the
  'simple' configuration. 'simple' lowercases but neither stems nor drops stop words: the names
  here are brands, mills and fabrics, and a stemmed index breaks prefixes as they are typed
  ('Knitting' is stored as 'knit', so 'knitti' would find nothing). Codes are never in the vector.
- **related** rows (an order's buyer) match through `buyer_id = ANY(ARRAY(SELECT id ... that
  match))`: PostgreSQL builds the array once and probes the foreign-key index with it, so the
  whole search stays one statement in which every branch is an index scan (a BitmapOr).

Results rank: an exact code match, then a code prefix match, then ts_rank on the words, then the
list's usual order. An explicit ?ordering= or a clicked admin column wins over relevance.
Whatever is typed (quotes, & | ! : *, a NUL byte, a page of text) is data, never query syntax.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.contrib.admin.views.main import ORDER_VAR
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, CharField, F, Index, IntegerField, Lookup, Q, Value, When
from django.db.models.functions import Cast, Collate, Concat, Least, LPad, Replace, Upper
from django.db.models.lookups import Exact, StartsWith
from django.template import loader
from rest_framework import filters
from rest_framework.pagination import CursorPagination
from rest_framework.settings import api_settings

CONFIG = "simple"
MAX_LENGTH = 100  # characters of a search read; the rest of a pasted page is ignored
MAX_TERMS = 5
# Order by these aliases, best first; Search.filter() adds them.
RANKING = ("-search_exact", "-search_rank")
NOTHING = Value(False, output_field=BooleanField())

_QUOTE_BREAKERS = re.compile(r"['\\@]")  # would end or escape the quoted lexeme; '@' is split as in e-mails
_ALNUM = re.compile(r"[^\W_]")


def search_terms(text: str) -> list[str]:
    """The words of a search, at most MAX_TERMS of them, without NUL bytes or surrounding quotes."""
    words = (word.strip("\"'") for word in text.replace("\x00", "")[:MAX_LENGTH].split())
    return [word for word in words if word][:MAX_TERMS]


def _prefix_tsquery(term: str) -> str | None:
    """`'term':*` for to_tsquery: quoted, so & | ! : * ( ) are plain characters the parser splits
    on like the document's; None when nothing searchable is left."""
    text = _QUOTE_BREAKERS.sub(" ", term).strip()
    return f"'{text}':*" if _ALNUM.search(text) else None


def _code(name: str) -> Collate:
    """A code as its prefix index holds it: upper case in byte order, so LIKE 'X%' is a range scan."""
    return Collate(Upper(name), "C")


class AnyOf(Lookup):
    """`lhs = ANY(rhs)` for an array expression such as ArraySubquery."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


@dataclass(frozen=True)
class Search:
    """How one model is searched: `codes` by prefix, `names` (and less so `words`, `emails`) by
    full text, `related` as (foreign key, that model's Search) pairs."""

    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    related: tuple[tuple[str, "Search"], ...] = ()

    @property
    def fields(self) -> list[str]:
        """What is searched, written like search_fields ('^' for a prefix): the admin needs the list."""
        own = [f"^{code}" for code in self.codes] + [*self.names, *self.words, *self.emails]
        for name, spec in self.related:
            own += [f"^{name}__{field[1:]}" if field[0] == "^" else f"{name}__{field}" for field in spec.fields]
        return own

    def vector(self) -> SearchVector | None:
        """The tsvector the GIN index holds; names weigh more (A) than the other words (B)."""
        parts = []
        if self.names:
            parts.append(SearchVector(*self.names, config=CONFIG, weight="A"))
        others = [*self.words, *(Replace(F(email), Value("@"), Value(" ")) for email in self.emails)]
        if others:
            parts.append(SearchVector(*others, config=CONFIG, weight="B"))
        return reduce(operator.add, parts) if parts else None

    def indexes(self, prefix: str) -> list[Index]:
        """The indexes this search needs on its own table: put them in the model's Meta.indexes."""
        indexes = [Index(_code(code), name=f"{prefix}_{code}_like_idx") for code in self.codes]
        if (vector := self.vector()) is not None:
            indexes.append(GinIndex(vector, name=f"{prefix}_search_idx"))
        return indexes

    def filter(self, queryset, text: str):
        """Rows matching every term of `text`, with the `search_exact` and `search_rank` aliases
        that RANKING orders by. A term matches a code's start, a word's start or a related row."""
        terms = search_terms(text)
        if not terms:
            return queryset
        queryset = queryset.filter(*(self.matches(queryset.model, term) for term in terms))
        return queryset.alias(search_exact=self._exactness(" ".join(terms)), search_rank=self._rank(terms))

    def matches(self, model, term: str):
        """The condition for one term: an OR of index-backed branches, or NOTHING."""
        upper = term.upper()
        branches = [StartsWith(_code(code), upper) for code in self.codes]
        vector, query = self.vector(), _prefix_tsquery(term)
        if vector is not None and query is not None:
            branches.append(SearchVectorExact(vector, SearchQuery(query, config=CONFIG, search_type="raw")))
        for name, spec in self.related:
            field = model._meta.get_field(name)
            target = field.related_model
            matching = target._default_manager.filter(spec.matches(target, term)).order_by().values("pk")
            branches.append(AnyOf(F(field.attname), ArraySubquery(matching)))
        return Q(*branches, _connector=Q.OR) if branches else NOTHING

    def _exactness(self, text: str):
        """2 when a code is the whole search, 1 when it starts with it, else 0."""
        if not self.codes:
            return Value(0)
        upper = text.upper()
        exact = Q(*(Exact(Upper(code), upper) for code in self.codes), _connector=Q.OR)
        prefix = Q(*(StartsWith(_code(code), upper) for code in self.codes), _connector=Q.OR)
        return Case(When(exact, then=Value(2)), When(prefix, then=Value(1)), default=Value(0))

    def _rank(self, terms: list[str]):
        """ts_rank of the row's words against any of the terms; 0 without words."""
        vector, queries = self.vector(), [q for term in terms if (q := _prefix_tsquery(term))]
        if vector is None or not queries:
            return Value(0.0)
        return SearchRank(vector, SearchQuery(" | ".join(queries), config=CONFIG, search_type="raw"))


class CursorKeyField(CharField):
    """The type of cursor_key(): a position read back from a cursor must be one (27 digits)."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not re.fullmatch(r"[0-9]{27}", value or ""):
            raise ValidationError("Invalid cursor.", code="invalid")
        return value


def cursor_key():
    """One unique text per row, best match first when sorted descending: exactness (1 digit), rank
    (7) and id (19). Cursor pagination pages by its first ordering field alone, so relevance goes
    into one key; fixed-width digits under the C collation sort as the numbers do."""
    rank = Cast(Least(F("search_rank"), Value(9.999999)) * Value(1_000_000.0), IntegerField())
    return Collate(
        Concat(
            Cast("search_exact", CharField()),
            LPad(Cast(rank, CharField()), 7, Value("0")),
            LPad(Cast("pk", CharField()), 19, Value("0")),
            output_field=CursorKeyField(),
        ),
        "C",
    )


class SearchFilter(filters.SearchFilter):
    """?search= through the view's `search` (a Search), best matches first; a view with only
    `search_fields` keeps DRF's icontains search.

    Relevance reaches the ordering through `view.ordering`, which the OrderingFilter (after this
    backend) and cursor pagination both read; an explicit ?ordering= wins.
    """

    search_description = (
        "Search: codes and numbers by their start (zar finds ZARA01), names by their words; best matches first."
    )

    def get_search_terms(self, request):
        # DRF refuses a NUL byte with a 400; a search for it is simply a search without it.
        return search_terms(request.query_params.get(self.search_param, ""))

    def filter_queryset(self, request, queryset, view):
        spec = getattr(view, "search", None)
        if spec is None:
            return super().filter_queryset(request, queryset, view)
        if not self.get_search_terms(request):
            return queryset
        queryset = spec.filter(queryset, request.query_params[self.search_param])
        if request.query_params.get(api_settings.ORDERING_PARAM):
            return queryset
        if isinstance(view.paginator, CursorPagination):
            view.ordering = ["-search_key"]
            return queryset.annotate(search_key=cursor_key()).order_by(*view.ordering)
        ordering = getattr(type(view), "ordering", None) or queryset.query.order_by or queryset.model._meta.ordering
        view.ordering = [*RANKING, *([ordering] if isinstance(ordering, str) else ordering)]
        return queryset.order_by(*view.ordering)

    def to_html(self, request, queryset, view):
        if getattr(view, "search", None) is None:
            return super().to_html(request, queryset, view)
        context = {"param": self.search_param, "term": request.query_params.get(self.search_param, "")}
        return loader.get_template(self.template).render(context)

    def get_schema_operation_parameters(self, view):
        if getattr(view, "search", None) is None and not getattr(view, "search_fields", None):
            return []
        return super().get_schema_operation_parameters(view)


class SearchAdminMixin:
    """Admin search box and autocomplete through the class's `search` (a Search), ranked.

    `search_fields` follows from it (the admin shows its search box and allows autocomplete
    only with search_fields)."""

    search: Search
    search_help_text = "Codes and numbers by their start (ZAR finds ZARA01), names by their words."

    @property
    def search_fields(self):
        return self.search.fields

    def get_search_results(self, request, queryset, search_term):
        # The changelist orders its queryset before searching it, so relevance goes first here,
        # unless a column header was clicked; autocomplete searches the admin's queryset too.
        if not search_terms(search_term):
            return queryset, False
        found = self.search.filter(queryset, search_term)
        if ORDER_VAR in request.GET:
            return found, False
        return found.order_by(*RANKING, *(queryset.query.order_by or self.model._meta.ordering)), False
