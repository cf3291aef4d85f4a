/* The staff dashboard's charts, drawn with the vendored Chart.js from the figures the page carries
 * in <script id="dashboard-data" type="application/json"> (apps/reports/dashboard.py). */
"use strict";

(function () {
    const STATUS_COLOURS = {
        draft: "#9aa5b1",
        confirmed: "#3b6fd8",
        in_production: "#e0a526",
        shipped: "#2a9d8f",
        closed: "#4c7a34",
        cancelled: "#c0392b",
        requested: "#9aa5b1",
        in_progress: "#3b6fd8",
        submitted: "#e0a526",
        approved: "#4c7a34",
        rejected: "#c0392b",
    };
    const FALLBACK = ["#3b6fd8", "#2a9d8f", "#e0a526", "#8e5cc7", "#c0392b", "#4c7a34", "#9aa5b1"];
    const SERIES = {count: "#3b6fd8", value: "#2a9d8f", overdue: "#c0392b", onSchedule: "#3b6fd8", decided: "#9aa5b1"};

    function cssVar(name, fallback) {
        const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
        return value || fallback;
    }

    // Text and grid lines follow the admin's light or dark theme.
    function applyTheme() {
        Chart.defaults.color = cssVar("--body-quiet-color", "#666");
        Chart.defaults.borderColor = cssVar("--hairline-color", "#e8e8e8");
        Chart.defaults.font.family = cssVar("--font-family-primary", Chart.defaults.font.family);
    }

    function statusColour(code, index) {
        return STATUS_COLOURS[code] || FALLBACK[index % FALLBACK.length];
    }

    // Clicking a bar opens the admin list filtered to that status.
    function openStatus(changelist, rows) {
        return function (event, elements) {
            if (elements.length) {
                window.location.href = changelist + "?status__exact=" + encodeURIComponent(rows[elements[0].index].status);
            }
        };
    }

    const integerTicks = {beginAtZero: true, ticks: {precision: 0}};
    const number = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});

    function ordersByStatus(canvas, orders) {
        return new Chart(canvas, {
            type: "bar",
            data: {
                labels: orders.by_status.map((row) => row.label),
                datasets: [{
                    label: "Orders",
                    data: orders.by_status.map((row) => row.count),
                    backgroundColor: orders.by_status.map((row, index) => statusColour(row.status, index)),
                    borderRadius: 3,
                }],
            },
            options: {
                maintainAspectRatio: false,
                plugins: {legend: {display: false}},
                scales: {y: integerTicks},
                onClick: openStatus(orders.changelist, orders.by_status),
            },
        });
    }

    function ordersByMonth(canvas, orders) {
        return new Chart(canvas, {
            type: "bar",
            data: {
                labels: orders.months.map((month) => month.label),
                datasets: [{label: "Orders", data: orders.count_by_month, backgroundColor: SERIES.count, borderRadius: 3}],
            },
            options: {maintainAspectRatio: false, plugins: {legend: {display: false}}, scales: {y: integerTicks}},
        });
    }

    function orderValue(canvas, select, orders) {
        const currencies = Object.keys(orders.value_by_month);
        const series = (currency) => orders.value_by_month[currency] || orders.months.map(() => 0);
        const chart = new Chart(canvas, {
            type: "line",
            data: {
                labels: orders.months.map((month) => month.label),
                datasets: [{
                    label: currencies[0] || "",
                    data: series(currencies[0]),
                    borderColor: SERIES.value,
                    backgroundColor: SERIES.value + "33",
                    fill: true,
                    cubicInterpolationMode: "monotone",  // smooth, but never above or below the figures
                }],
            },
            options: {
                maintainAspectRatio: false,
                plugins: {
                    legend: {display: false},
                    tooltip: {callbacks: {label: (item) => item.dataset.label + " " + number.format(item.parsed.y)}},
                },
                scales: {y: {beginAtZero: true, ticks: {callback: (value) => number.format(value)}}},
            },
        });
        if (select) {
            select.disabled = currencies.length < 2;
            select.addEventListener("change", function () {
                chart.data.datasets[0].label = select.value;
                chart.data.datasets[0].data = series(select.value);
                chart.update();
            });
        }
        return chart;
    }

    function samplePipeline(canvas, samples) {
        const rows = samples.pipeline;
        const stack = (label, key, colour) => ({
            label: label,
            data: rows.map((row) => row[key]),
            backgroundColor: colour,
            borderRadius: 3,
        });
        return new Chart(canvas, {
            type: "bar",
            data: {
                labels: rows.map((row) => row.label),
                datasets: [
                    stack("On schedule", "on_schedule", SERIES.onSchedule),
                    stack("Overdue", "overdue", SERIES.overdue),
                    stack("Decided", "decided", SERIES.decided),
                ],
            },
            options: {
                maintainAspectRatio: false,
                plugins: {legend: {position: "bottom"}},
                scales: {x: {stacked: true}, y: {...integerTicks, stacked: true}},
                onClick: openStatus(samples.changelist, rows),
            },
        });
    }

    function draw() {
        const source = document.getElementById("dashboard-data");
        if (!source || typeof Chart === "undefined") {
            return;
        }
        const data = JSON.parse(source.textContent);
        applyTheme();
        if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
            Chart.defaults.animation = false;
        }
        const charts = [];
        const canvas = (id) => document.getElementById(id);
        if (data.orders) {
            charts.push(ordersByStatus(canvas("chart-orders-status"), data.orders));
            charts.push(ordersByMonth(canvas("chart-orders-month"), data.orders));
            charts.push(orderValue(canvas("chart-orders-value"), canvas("orders-value-currency"), data.orders));
        }
        if (data.samples) {
            charts.push(samplePipeline(canvas("chart-samples-pipeline"), data.samples));
        }
        const redraw = function () {
            applyTheme();
            charts.forEach((chart) => chart.update());
        };
        // The admin's theme toggle sets data-theme on <html>; "auto" follows the system's scheme.
        new MutationObserver(redraw).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});
        window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redraw);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", draw);
    } else {
        draw();
    }
})();
