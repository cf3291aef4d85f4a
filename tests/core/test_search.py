"""Ranked search (apps.core.search) through the API's ?search= and the admin's search box and autocomplete."""

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.buyers.models import BUYER_SEARCH, Buyer
from apps.core.search import MAX_TERMS, search_terms
from apps.inventory.models import MATERIAL_SEARCH, Material
from apps.orders.models import ORDER_SEARCH, Order
from apps.purchasing.models import SUPPLIER_SEARCH, Supplier
from apps.samples.models import STYLE_SEARCH, Style
from tests.buyers.factories import BuyerFactory
from tests.inventory.factories import MaterialFactory, WarehouseFactory
from tests.orders.factories import OrderFactory
from tests.purchasing.factories import SupplierFactory
from tests.samples.factories import StyleFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Searched:
    """One searchable list: where it is, the field that identifies a row, and how to make a row."""

    name: str
    api: str
    admin: str
    key: str
    factory: Any

    def make(self, key: str, words: str, **fields):
        """A row whose code (or number) is `key` and whose searchable words are `words`."""
        if self.factory is OrderFactory:  # an order's words are its buyer's
            fields.setdefault("buyer", BuyerFactory(name=words))
            return OrderFactory(number=key, **fields)
        return self.factory(**{self.key: key, "name": words}, **fields)


LISTS = [
    Searched("buyers", "/api/v1/buyers/", "/admin/buyers/buyer/", "code", BuyerFactory),
    Searched("styles", "/api/v1/styles/", "/admin/samples/style/", "code", StyleFactory),
    Searched("suppliers", "/api/v1/suppliers/", "/admin/purchasing/supplier/", "code", SupplierFactory),
    Searched("materials", "/api/v1/materials/", "/admin/inventory/material/", "code", MaterialFactory),
    Searched("orders", "/api/v1/orders/", "/admin/orders/order/", "number", OrderFactory),
]
by_name = pytest.mark.parametrize("searched", LISTS, ids=[searched.name for searched in LISTS])


@pytest.fixture
def api(client_for):
    return client_for("viewer")


def api_keys(client, searched: Searched, **params) -> list[str]:
    response = client.get(searched.api, params)
    assert response.status_code == 200, response.content[:500]
    return [row[searched.key] for row in response.json()["results"]]


def admin_keys(client, searched: Searched, **params) -> list[str]:
    response = client.get(searched.admin, params)
    assert response.status_code == 200, response.content[:500]
    return [getattr(row, searched.key) for row in response.context["cl"].result_list]


@pytest.fixture
def zed_rows():
    """Per list: an exact code ZED, a code starting with it, a name with the word, and noise. The
    usual orders (by name, code or newest first) never put them in the ranked order."""

    def make(searched: Searched) -> None:
        searched.make("AAA1", "Blue Zed jacket")  # a word of the name
        searched.make("ZED2", "Other")  # the code starts with the search
        searched.make("ZED", "Unrelated thing")  # the code is the search
        searched.make("QQQ1", "Nothing here")

    return make


# --- what is found, and in which order --------------------------------------------------------------


@by_name
def test_api_search_finds_code_prefix_and_words_with_the_exact_code_first(api, zed_rows, searched):
    zed_rows(searched)
    assert api_keys(api, searched, search="zed") == ["ZED", "ZED2", "AAA1"]
    assert api_keys(api, searched, search="jack") == ["AAA1"]  # a prefix of a later word
    assert api_keys(api, searched, search="zed2") == ["ZED2"]


@by_name
def test_admin_search_finds_code_prefix_and_words_with_the_exact_code_first(staff_client, zed_rows, searched):
    zed_rows(searched)
    assert admin_keys(staff_client, searched, q="zed") == ["ZED", "ZED2", "AAA1"]
    assert admin_keys(staff_client, searched, q="jack") == ["AAA1"]
    assert admin_keys(staff_client, searched, q="zed2") == ["ZED2"]


@by_name
def test_every_word_typed_must_match(api, staff_client, zed_rows, searched):
    zed_rows(searched)
    searched.make("AAA2", "Blue Zed coat")
    assert api_keys(api, searched, search="zed jack") == ["AAA1"]
    assert admin_keys(staff_client, searched, q="blue jacket") == ["AAA1"]
    assert api_keys(api, searched, search="jacket coat") == []


@by_name
def test_an_explicit_order_wins_over_relevance(api, staff_client, zed_rows, searched):
    zed_rows(searched)
    assert api_keys(api, searched, search="zed", ordering=searched.key) == ["AAA1", "ZED", "ZED2"]
    column = staff_client.get(searched.admin).context["cl"].list_display.index(searched.key)
    assert admin_keys(staff_client, searched, q="zed", o=str(column)) == ["AAA1", "ZED", "ZED2"]


def test_order_search_finds_numbers_by_prefix_buyer_reference_and_buyer(api, staff_client):
    orders = Searched("orders", "/api/v1/orders/", "/admin/orders/order/", "number", OrderFactory)
    zara = BuyerFactory(code="ZARA01", name="Zara Espana")
    for number in ("SO0001234", "SO0001299", "SO0001300"):
        OrderFactory(number=number)
    OrderFactory(number="SO0002000", buyer=zara)
    OrderFactory(number="SO0002001", buyer_reference="ZR-2027-001")
    assert api_keys(api, orders, search="so00012") == ["SO0001299", "SO0001234"]  # newest first after rank
    assert admin_keys(staff_client, orders, q="SO0001234") == ["SO0001234"]
    assert api_keys(api, orders, search="zara01") == ["SO0002000"]  # the buyer's code
    assert api_keys(api, orders, search="espa") == ["SO0002000"]  # a word of the buyer's name
    assert admin_keys(staff_client, orders, q="zr-2027") == ["SO0002001"]  # the buyer's own reference


def test_buyer_and_supplier_search_read_the_words_of_company_and_email(api):
    buyers = LISTS[0]
    BuyerFactory(code="B1", name="Alpha", company="Inditex Holdings", email="orders@zara.example")
    BuyerFactory(code="B2", name="Beta", company="", email="buy@next.example")
    assert api_keys(api, buyers, search="inditex") == ["B1"]
    assert api_keys(api, buyers, search="zara") == ["B1"]  # the e-mail's domain
    assert api_keys(api, buyers, search="orders@zara.example") == ["B1"]
    assert api_keys(api, buyers, search="buy@ne") == ["B2"]
    SupplierFactory(code="S1", name="Gamma Mills", email="sales@weaveco.example")
    assert api_keys(api, LISTS[2], search="weaveco") == ["S1"]


def test_names_rank_above_company_and_email(api):
    BuyerFactory(code="B1", name="Alpha", company="Denim Works")
    BuyerFactory(code="B2", name="Zeta Denim")
    assert api_keys(api, LISTS[0], search="denim") == ["B2", "B1"]


def test_style_search_reaches_the_buyer(api, staff_client):
    zara = BuyerFactory(code="ZARA01", name="Zara Espana")
    StyleFactory(code="ST1", name="Basic tee", buyer=zara)
    StyleFactory(code="ST2", name="Basic tee")
    assert api_keys(api, LISTS[1], search="zara01") == ["ST1"]
    assert admin_keys(staff_client, LISTS[1], q="espana tee") == ["ST1"]


def test_words_are_not_stemmed_and_stop_words_are_kept(api):
    BuyerFactory(code="B1", name="Knitting Mills")
    BuyerFactory(code="B2", name="The Outfitters")
    assert api_keys(api, LISTS[0], search="knitti") == ["B1"]  # 'english' would store 'knit'
    assert api_keys(api, LISTS[0], search="the") == ["B2"]  # 'english' would drop it


def test_other_lists_search_through_the_same_mechanism(api, staff_client):
    """Samples, purchase orders and stock levels: numbers and related codes by prefix, no icontains."""
    from tests.inventory.factories import ReceiptFactory
    from tests.purchasing.factories import PurchaseOrderFactory
    from tests.samples.factories import SampleFactory

    SampleFactory(number="S0000123", style=StyleFactory(code="TEE-1"))
    SampleFactory(number="S0000999")
    assert [row["number"] for row in api.get("/api/v1/samples/", {"search": "s00001"}).json()["results"]] == [
        "S0000123"
    ]
    assert [row["number"] for row in api.get("/api/v1/samples/", {"search": "tee"}).json()["results"]] == ["S0000123"]
    PurchaseOrderFactory(number="PO0000042", supplier=SupplierFactory(code="MILL1", name="Gamma Mills"))
    PurchaseOrderFactory(number="PO0000043")
    response = staff_client.get("/admin/purchasing/purchaseorder/", {"q": "gamma"})
    assert [order.number for order in response.context["cl"].result_list] == ["PO0000042"]
    ReceiptFactory(material=MaterialFactory(code="FAB9", name="Poplin"), warehouse=WarehouseFactory())
    rows = api.get("/api/v1/stock-levels/", {"search": "popl"}).json()["results"]
    assert [row["material_code"] for row in rows] == ["FAB9"]


# --- admin autocomplete ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "field", "factory"),
    [
        ("samples.style", "buyer", BuyerFactory),
        ("orders.orderline", "style", StyleFactory),
        ("purchasing.purchaseorder", "supplier", SupplierFactory),
        ("purchasing.suppliermaterial", "material", MaterialFactory),
        ("purchasing.purchaseorder", "warehouse", WarehouseFactory),
    ],
    ids=["buyers", "styles", "suppliers", "materials", "warehouses"],
)
def test_admin_autocomplete_is_ranked_search(staff_client, source, field, factory):
    word_match = factory(code="AAA1", name="Blue Zed jacket")
    prefix = factory(code="ZED2", name="Other")
    exact = factory(code="ZED", name="Unrelated thing")
    factory(code="QQQ1", name="Nothing here")
    app_label, model_name = source.split(".")
    params = {"app_label": app_label, "model_name": model_name, "field_name": field}
    response = staff_client.get("/admin/autocomplete/", {**params, "term": "zed"})
    assert response.status_code == 200, response.content[:300]
    assert [row["id"] for row in response.json()["results"]] == [str(row.pk) for row in (exact, prefix, word_match)]
    assert staff_client.get("/admin/autocomplete/", {**params, "term": "\x00&|!:*"}).status_code == 200


# --- whatever is typed -------------------------------------------------------------------------------

MALFORMED = [
    '"',
    "'",
    "''",
    "\\",
    "&|!:*",
    "zed:*|!(",
    "a & b | !c",
    "<->",
    "%",
    "_",
    "zed\x00",
    "\x00",
    "zed " * 500,
    "x" * 5000,
    "日本語 ümlaut",
    "'zed' & 'jacket'",
]


@pytest.mark.parametrize("text", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_search_is_data_never_an_error(api, staff_client, text):
    for searched in LISTS:
        searched.make("ZED", "Blue Zed jacket")
        response = api.get(searched.api, {"search": text})
        assert response.status_code == 200, (searched.name, response.content[:300])
        assert isinstance(response.json()["results"], list)
        assert staff_client.get(searched.admin, {"q": text}).status_code == 200, searched.name


@pytest.mark.parametrize("text", ["zed\x00", "\x00zed", "zed " * 500, '"zed"', "zed:*"])
def test_nul_bytes_quotes_and_repetition_are_ignored(api, staff_client, text):
    searched = LISTS[0]
    searched.make("ZED", "Blue jacket")
    assert api_keys(api, searched, search=text) == ["ZED"]
    assert admin_keys(staff_client, searched, q=text) == ["ZED"]


def test_search_terms_drop_nul_bytes_quotes_and_the_excess():
    assert search_terms(' "zara"  espa\x00na ') == ["zara", "espana"]
    assert search_terms("a " * 50) == ["a"] * MAX_TERMS
    assert search_terms("x" * 5000) == ["x" * 100]
    assert search_terms("'' \"\" \x00") == []


# --- costs ----------------------------------------------------------------------------------------------


def warm(client, url):
    """The first request of a session fills the session and permission caches: measure after it.
    (Another URL than the measured ones, so no list comes from the view cache.)"""
    assert client.get(url, {} if url.startswith("/admin/") else {"page_size": 3}).status_code == 200


def test_buyer_search_query_count_is_constant(api, staff_client, assert_queries_constant):
    make = lambda n: BuyerFactory.create_batch(n, name="Zara Espana")  # noqa: E731
    warm(api, LISTS[0].api)
    assert_queries_constant(api, LISTS[0].api, make, ceiling=6, params={"search": "zara"})
    warm(staff_client, LISTS[0].admin)
    assert_queries_constant(staff_client, LISTS[0].admin, make, ceiling=8, params={"q": "zar"})


def test_order_search_query_count_is_constant(api, staff_client, assert_queries_constant):
    zara = BuyerFactory(code="ZARA01", name="Zara Espana")
    make = lambda n: OrderFactory.create_batch(n, buyer=zara)  # noqa: E731
    for params in ({"search": "zara"}, {"search": "T0"}, {"search": "zara", "page_size": 100}):
        warm(api, LISTS[4].api)
        assert_queries_constant(api, LISTS[4].api, make, ceiling=6, params=params)
    warm(staff_client, LISTS[4].admin)
    assert_queries_constant(staff_client, LISTS[4].admin, make, ceiling=8, params={"q": "zara"})


@pytest.mark.parametrize("searched", LISTS[1:4], ids=[searched.name for searched in LISTS[1:4]])
def test_lookup_search_query_count_is_constant(api, assert_queries_constant, searched):
    make = lambda n: [searched.make(f"Z{searched.name[:2].upper()}{i}", f"Zed {i}") for i in range(n)]  # noqa: E731
    warm(api, searched.api)
    assert_queries_constant(api, searched.api, make, ceiling=6, params={"search": "zed"})


@pytest.mark.parametrize("searched", [LISTS[0], LISTS[4]], ids=["buyers", "orders"])
def test_searching_adds_no_query_to_the_list(api, staff_client, searched):
    for i in range(5):
        searched.make(f"ZED{i}", "Zed Espana")
    for client, url, param in ((api, searched.api, "search"), (staff_client, searched.admin, "q")):
        counts = []
        warm(client, url)
        for params in ({}, {param: "zed"}, {param: "zed espa"}, {param: "zed1"}):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, params).status_code == 200
            counts.append(len(queries))
            assert params.get(param) is None or any("LIKE" in query["sql"] for query in queries)
        assert len(set(counts)) == 1, (url, counts)


def test_ranked_cursor_pages_never_repeat_or_skip(api):
    """Orders page by cursor: relevance goes into one unique key, so paging follows the ranking."""
    zara = BuyerFactory(code="ZARA01", name="Zara Espana")
    OrderFactory.create_batch(5, buyer=zara)
    OrderFactory(number="ZARA01")  # an order whose number is the search ranks first
    OrderFactory(buyer_reference="ZARA01-7")  # a reference starting with it comes next
    OrderFactory.create_batch(3)  # no match
    everything = api_keys(api, LISTS[4], search="zara01", page_size=100)
    assert len(everything) == 7 and everything[0] == "ZARA01"
    assert everything[1] == Order.objects.get(buyer_reference="ZARA01-7").number
    forward, url = [], f"{LISTS[4].api}?search=zara01&page_size=2"
    while url:
        body = api.get(url).json()
        forward += [row["number"] for row in body["results"]]
        url = body["next"]
    assert forward == everything
    last_page = [row["number"] for row in body["results"]]
    back, url = [], body["previous"]
    while url:
        body = api.get(url).json()
        back = [row["number"] for row in body["results"]] + back
        url = body["previous"]
    assert back + last_page == everything


@pytest.mark.parametrize("position", ["garbage", "1" * 26 + "\x00", "9" * 28, "'; --"])
def test_a_forged_cursor_on_a_ranked_search_is_a_400(api, position):
    OrderFactory.create_batch(3)
    cursor = base64.b64encode(f"o=0&p={position}".encode()).decode()
    response = api.get(LISTS[4].api, {"search": "t0", "cursor": cursor})
    assert response.status_code == 400, response.content[:300]


INDEXED = [
    (Buyer, BUYER_SEARCH, "zar", ["buyer_code_like_idx", "buyer_search_idx"]),
    (Style, STYLE_SEARCH, "zar", ["style_code_like_idx", "style_search_idx", "buyer_code_like_idx"]),
    (Supplier, SUPPLIER_SEARCH, "zar", ["supplier_code_like_idx", "supplier_search_idx"]),
    (Material, MATERIAL_SEARCH, "zar", ["material_code_like_idx", "material_search_idx"]),
    (Order, ORDER_SEARCH, "so1", ["order_number_like_idx", "order_buyer_reference_like_idx", "buyer_search_idx"]),
]


@pytest.mark.parametrize(("model", "search", "text", "indexes"), INDEXED, ids=[row[0].__name__ for row in INDEXED])
def test_every_branch_of_a_search_can_use_an_index(model, search, text, indexes):
    """The query's expressions are the indexes' expressions: with sequential scans priced out, the
    plan reads each branch from its index (on a big table the planner chooses them by itself)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = json.dumps(json.loads(search.filter(model.objects.all(), text).order_by().explain(format="json")))
    assert "Seq Scan" not in plan
    for index in indexes:
        assert f'"Index Name": "{index}"' in plan, index
    if search.related:  # matching buyers are computed once, then looked up through the foreign key's index
        assert '"Index Cond": "(buyer_id = ANY ($0))"' in plan
