/* The order form's colour x size grids (apps/orders/order_grid.py): totals kept current as quantities
 * are typed, style blocks added and removed, and the table of a newly picked style fetched from the
 * server, which renders it the same way as on page load. No inline script: the CSP forbids it. */
"use strict";

(function () {
    function pieces(value) {
        return /^\d+$/.test(value.trim()) ? parseInt(value, 10) : 0;
    }

    function recount(table) {
        const columns = [];
        for (const row of table.tBodies[0].rows) {
            let rowTotal = 0;
            row.querySelectorAll("input").forEach((input, index) => {
                const quantity = pieces(input.value);
                rowTotal += quantity;
                columns[index] = (columns[index] || 0) + quantity;
            });
            row.querySelector(".order-grid-row-total").textContent = rowTotal;
        }
        table.querySelectorAll(".order-grid-column-total").forEach((cell, index) => {
            cell.textContent = columns[index] || 0;
        });
        table.querySelector(".order-grid-total").textContent = columns.reduce((sum, quantity) => sum + quantity, 0);
    }

    // Enter moves down the column (Shift+Enter up), as in a spreadsheet, instead of submitting the form.
    function moveVertically(input, step) {
        const cell = input.closest("td");
        const row = cell.parentElement;
        const target = row.parentElement.rows[row.sectionRowIndex + step];
        const next = target && target.cells[cell.cellIndex].querySelector("input");
        if (next) {
            next.focus();
            next.select();
        }
    }

    async function showStyle(grid, block, styleId) {
        const query = new URLSearchParams({style: styleId || "", prefix: block.dataset.prefix});
        const response = await fetch(`${grid.dataset.tableUrl}?${query}`, {credentials: "same-origin"});
        if (!response.ok) {
            return;
        }
        const slot = block.querySelector(".order-grid-slot");
        slot.innerHTML = await response.text();
        const table = slot.querySelector("table");
        if (table) {
            recount(table);
        }
    }

    function addBlock(grid) {
        const total = grid.querySelector(`#id_${grid.dataset.prefix}-TOTAL_FORMS`);
        const index = Number(total.value);
        const html = grid.querySelector("template.order-grid-empty").innerHTML.replaceAll("__prefix__", index);
        grid.querySelector(".order-grid-blocks").insertAdjacentHTML("beforeend", html);
        total.value = index + 1;
        const block = grid.querySelector(".order-grid-blocks").lastElementChild;
        // Django's autocomplete.js turns the new style select into its select2 widget on this event.
        block.dispatchEvent(new CustomEvent("formset:added", {bubbles: true, detail: {formsetName: grid.dataset.prefix}}));
        const picker = block.querySelector(".select2-selection");
        if (picker) {
            picker.focus();
        }
    }

    function removeBlock(grid, block) {
        block.querySelector(`input[name="${block.dataset.prefix}-DELETE"]`).value = "True";
        block.hidden = true;
        grid.querySelector(".order-grid-add").focus();
    }

    function start(grid) {
        grid.querySelectorAll(".order-grid-table").forEach(recount);
        grid.addEventListener("input", (event) => {
            const table = event.target.closest(".order-grid-table");
            if (table) {
                recount(table);
            }
        });
        grid.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && event.target.matches(".order-grid-table input")) {
                event.preventDefault();
                moveVertically(event.target, event.shiftKey ? -1 : 1);
            }
        });
        grid.addEventListener("click", (event) => {
            if (event.target.matches(".order-grid-add")) {
                addBlock(grid);
            } else if (event.target.matches(".order-grid-remove")) {
                removeBlock(grid, event.target.closest(".order-grid-block"));
            }
        });
        // select2 reports a new choice as a jQuery event only, so it is heard through the admin's jQuery.
        django.jQuery(grid).on("change", ".order-grid-style select", function () {
            showStyle(grid, this.closest(".order-grid-block"), this.value);
        });
    }

    document.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll(".order-grid").forEach((grid) => {
            if (grid.querySelector("template.order-grid-empty")) {
                start(grid);  // an editable grid; a read-only one shows the totals the server counted
            }
        });
    });
})();
