import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bench_runs_end_to_end_on_small_data(settings, tmp_path):
    """The benchmark itself works (timings are its output, never asserted here)."""
    settings.DEBUG = False
    call_command("generate_data", scale="small", seed=3)
    report_path, markdown = tmp_path / "report.json", tmp_path / "PERFORMANCE.md"
    call_command("bench", requests=2, warmup=1, output=str(report_path), markdown=str(markdown))

    report = json.loads(report_path.read_text())
    names = [endpoint["name"] for endpoint in report["endpoints"]]
    assert "orders list, first page" in names and "create order, a 2 x 5 grid (10 lines)" in names
    first = report["endpoints"][0]
    assert first["queries"] > 0 and first["count_queries"] == 0 and first["raw_sql_p50_ms"] > 0
    assert "<!-- bench:start -->" in markdown.read_text()
