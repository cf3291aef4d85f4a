"""Simulated staff for `make loadtest` (Locust). Standalone: it talks HTTP only and never imports Django.

Each user signs in once (a token issued by the loadtest command's preparation, as a member of
staff keeps a session all day), then thinks 2-5 s between actions. The mix is DESIGN.md's:
40 % lookup lists, 25 % order and sample lists, 15 % detail pages, 10 % searches, 10 % writes
(a sample requested, or an order entered as a colour x size grid). Names group the requests of
one endpoint, so the report has one row per endpoint rather than per id.

LOADTEST_FIXTURE names the JSON the command wrote (tokens, existing ids, search terms, styles
to order). With LOADTEST_STEP_USERS set, the step shape below raises the users step by step
and stops at the first step whose p95 passes LOADTEST_STEP_P95_MS or that has errors.
"""

import itertools
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

from locust import FastHttpUser, LoadTestShape, between, events, task

FIXTURE = json.loads(Path(os.environ["LOADTEST_FIXTURE"]).read_text())
TOKENS = itertools.cycle(FIXTURE["tokens"])
API = "/api/v1"


class Staff(FastHttpUser):
    wait_time = between(2, 5)

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(TOKENS)}"}
        self.random = random.Random()

    def get(self, path: str, name: str):
        self.client.get(f"{API}{path}", headers=self.headers, name=name)

    def pick(self, key: str):
        return self.random.choice(FIXTURE[key])

    # --- 40 %: lookup lists (cached per view) -------------------------------------------
    @task(8)
    def buyers(self):
        self.get("/buyers/?is_active=true", "buyers list")

    @task(8)
    def styles(self):
        self.get(f"/styles/?buyer={self.pick('buyers')}", "styles list by buyer")

    @task(8)
    def materials(self):
        self.get("/materials/", "materials list")

    @task(8)
    def suppliers(self):
        self.get("/suppliers/", "suppliers list")

    @task(8)
    def warehouses(self):
        self.get("/warehouses/", "warehouses list")

    # --- 25 %: order and sample lists -----------------------------------------------------
    @task(9)
    def orders(self):
        self.get("/orders/", "orders list")

    @task(8)
    def orders_of_buyer(self):
        self.get(f"/orders/?buyer={self.pick('buyers')}&status=confirmed", "orders list by buyer and status")

    @task(8)
    def samples(self):
        self.get(f"/samples/?buyer={self.pick('buyers')}", "samples list by buyer")

    # --- 15 %: detail pages ---------------------------------------------------------------
    @task(6)
    def order(self):
        self.get(f"/orders/{self.pick('orders')}/", "order detail")

    @task(5)
    def sample(self):
        self.get(f"/samples/{self.pick('samples')}/", "sample detail")

    @task(4)
    def style(self):
        self.get(f"/styles/{self.pick('styles')['id']}/", "style detail")

    # --- 10 %: searches -------------------------------------------------------------------
    @task(4)
    def search_orders(self):
        self.get(f"/orders/?search={self.pick('order_numbers')}", "orders search")

    @task(3)
    def search_styles(self):
        self.get(f"/styles/?search={self.pick('style_words')}", "styles search")

    @task(3)
    def search_buyers(self):
        self.get(f"/buyers/?search={self.pick('buyer_words')}", "buyers search")

    # --- 10 %: writes ---------------------------------------------------------------------
    @task(5)
    def request_sample(self):
        style = self.pick("styles")
        due = (date.today() + timedelta(days=self.random.randint(7, 40))).isoformat()
        body = {"style": style["id"], "type": "fit", "due_date": due}
        self.client.post(f"{API}/samples/", json=body, headers=self.headers, name="sample create")

    @task(5)
    def enter_order(self):
        style = self.pick("styles")
        colours = self.random.sample(style["colours"], min(2, len(style["colours"])))
        sizes = style["sizes"][:4]
        quantities = {colour: {size: self.random.randint(20, 200) for size in sizes} for colour in colours}
        body = {
            "buyer": style["buyer"],
            "ship_date": (date.today() + timedelta(days=90)).isoformat(),
            "grid": [{"style": style["id"], "unit_price": "7.50", "quantities": quantities}],
        }
        self.client.post(f"{API}/orders/", json=body, headers=self.headers, name="order create (grid)")


if os.environ.get("LOADTEST_STEP_USERS"):

    class StepShape(LoadTestShape):
        """Add STEP_USERS every STEP_SECONDS; after each step's hold, judge it on its own last
        10 seconds (Locust's current-window p95) and its own errors; stop at the first failing step."""

        step_users = int(os.environ["LOADTEST_STEP_USERS"])
        step_seconds = int(os.environ.get("LOADTEST_STEP_SECONDS", "60"))
        max_users = int(os.environ.get("LOADTEST_MAX_USERS", "3000"))
        p95_limit = float(os.environ.get("LOADTEST_STEP_P95_MS", "200"))
        spawn_rate = float(os.environ.get("LOADTEST_SPAWN_RATE", "20"))

        def __init__(self):
            super().__init__()
            self.steps: list[dict] = []
            self.failures_before = 0
            self.judged_step = 0

        def tick(self):
            step = int(self.get_run_time() // self.step_seconds)
            if step > self.judged_step:  # a step just ended: judge it before adding users
                self.judged_step = step
                if not self._judge(users=step * self.step_users):
                    return None
            users = (step + 1) * self.step_users
            return (users, self.spawn_rate) if users <= self.max_users else None

        def _judge(self, *, users: int) -> bool:
            stats = self.runner.stats.total
            p95 = stats.get_current_response_time_percentile(0.95) or 0
            failures = stats.num_failures - self.failures_before
            self.failures_before = stats.num_failures
            passed = p95 <= self.p95_limit and failures == 0
            self.steps.append(
                {"users": users, "p95_ms": p95, "failures": failures, "rps": stats.current_rps, "passed": passed}
            )
            return passed

    @events.quitting.add_listener
    def _write_steps(environment, **kwargs):
        shape = environment.shape_class
        passed = [step["users"] for step in shape.steps if step["passed"]]
        result = {"steps": shape.steps, "capacity_users": max(passed, default=0)}
        with open(os.environ["LOADTEST_STEP_REPORT"], "w") as file:
            json.dump(result, file, indent=2)
