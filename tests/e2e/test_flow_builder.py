"""Browser tests of the bot-flow builder (see test_console.py for the setup): an admin builds
a flow as a tree, breaks it and sees the problem on its node, fixes it, publishes, exports
and imports it, and tries it in the "try it" phone; supervisors only read flows; operators
do not get the screen. The phone simulator shows bot menus as buttons.

The e2e server is shared: every flow made here is deleted at the end, and the demo flow
("Bienvenida") is only read."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from playwright.async_api import expect

from tests.e2e.steps import ADMIN, go_to, login, new_phone

SUPERVISOR = ("sofia", "Operador123!")
OPERATOR = ("laura", "Operador123!")
DEMO_FLOW = "Bienvenida"


def node(page: Any, key: str) -> Any:
    return page.locator(f'[data-testid="flow-node"][data-key="{key}"]')


async def select_node(page: Any, key: str) -> None:
    await node(page, key).get_by_test_id("flow-node-select").first.click()
    await expect(page.get_by_test_id("flow-editor")).to_have_attribute("data-key", key)


async def api(context: Any, base: str, method: str, path: str, data: Any = None) -> Any:
    """A call to the API with the context's session (and its CSRF token)."""
    me = await context.request.get(f"{base}/api/auth/me")
    token = (await me.json())["csrfToken"]
    return await context.request.fetch(
        f"{base}{path}", method=method, data=data, headers={"X-CSRF-Token": token}
    )


async def delete_flows(context: Any, base: str, names: list[str]) -> None:
    """Deletes the flows with these names (those already gone are fine)."""
    listed = await context.request.get(f"{base}/api/flows")
    for flow in await listed.json():
        if flow["name"] in names:
            response = await api(context, base, "DELETE", f"/api/flows/{flow['id']}")
            assert response.status in (204, 404), await response.text()


async def area_id(context: Any, base: str, name: str) -> int:
    areas = await (await context.request.get(f"{base}/api/areas")).json()
    return int(next(a["id"] for a in areas if a["name"] == name))


async def test_admin_builds_breaks_fixes_publishes_and_exports_a_flow(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await browser_context.new_page()
    await login(page, base, *ADMIN)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    await go_to(page, "flows")
    await expect(page).to_have_url(re.compile(r"/flows$"))
    demo = page.locator(f'[data-testid="flow-row"][data-name="{DEMO_FLOW}"]')
    await expect(demo.get_by_test_id("flow-row-channel")).to_have_text("All channels")
    await expect(demo.get_by_test_id("flow-row-version")).to_have_text(re.compile(r"Version \d+"))

    name = f"Prueba {uuid.uuid4().hex[:6]}"
    ventas = await area_id(browser_context, base, "Ventas")
    try:
        # A new flow opens in the builder, empty.
        await page.get_by_test_id("flow-create-name").fill(name)
        await page.get_by_test_id("flow-create-submit").click()
        await expect(page).to_have_url(re.compile(r"/flows/\d+$"))
        await expect(page.get_by_test_id("flow-name")).to_have_text(name)
        await expect(page.get_by_test_id("flow-published-version")).to_have_text("Not published")
        await expect(page.get_by_test_id("flow-tree-empty")).to_be_visible()

        # A menu with two options: one leads to a message, the other to a redirect.
        await page.get_by_test_id("flow-new-type").select_option("menu")
        await page.get_by_test_id("flow-add-root").click()
        editor = page.get_by_test_id("flow-editor")
        await expect(editor).to_have_attribute("data-key", "menu")
        await expect(page.get_by_test_id("flow-dirty")).to_be_visible()
        await editor.get_by_test_id("flow-field-title").fill("Menú de prueba")
        await editor.get_by_test_id("flow-field-text").fill("¿Qué necesitás?")
        await editor.get_by_test_id("flow-add-option").click()
        await editor.get_by_test_id("flow-option-label").nth(0).fill("Horarios")
        await editor.get_by_test_id("flow-option-keywords").nth(0).fill("horario, hora")
        await editor.get_by_test_id("flow-option-new-type").select_option("redirect")
        await editor.get_by_test_id("flow-add-option").click()
        await editor.get_by_test_id("flow-option-label").nth(1).fill("Ventas")
        for n, (number, target) in enumerate([("1", "menu-1"), ("2", "menu-2")]):
            await expect(editor.get_by_test_id("flow-option-number").nth(n)).to_have_value(number)
            await expect(editor.get_by_test_id("flow-option-target").nth(n)).to_have_value(target)
        await expect(node(page, "menu").get_by_test_id("flow-node-summary").first).to_have_text(
            "1. Horarios · 2. Ventas"
        )
        await expect(node(page, "menu-1")).to_have_attribute("data-depth", "1")
        await expect(node(page, "menu-1")).to_have_attribute("data-type", "message")
        await expect(node(page, "menu-2")).to_have_attribute("data-type", "redirect")

        await select_node(page, "menu-1")
        await editor.get_by_test_id("flow-field-text").fill("Atendemos de 9 a 18 h.")
        await editor.get_by_test_id("flow-field-next").select_option("menu")
        await select_node(page, "menu-2")
        await editor.get_by_test_id("flow-field-area").select_option(label="Ventas")
        await editor.get_by_test_id("flow-field-text").fill("Te paso con Ventas.")
        await expect(node(page, "menu-2").get_by_test_id("flow-node-summary")).to_have_text(
            "→ Ventas"
        )

        # Save, then validate: no problems.
        await page.get_by_test_id("flow-save").click()
        await expect(page.get_by_test_id("flow-dirty")).to_be_hidden()
        await expect(page.get_by_test_id("flow-notice")).to_contain_text("No problems")
        await expect(page.get_by_test_id("flow-unpublished")).to_be_visible()
        await page.get_by_test_id("flow-validate").click()
        await expect(page.get_by_test_id("flow-notice")).to_have_text(
            "No problems: the flow can be published."
        )
        await expect(page.get_by_test_id("flow-node-problem")).to_have_count(0)

        # Broken on purpose: two options numbered 1. The problem shows on the menu node.
        await select_node(page, "menu")
        await editor.get_by_test_id("flow-option-number").nth(1).fill("1")
        await page.get_by_test_id("flow-validate").click()
        menu_problems = node(page, "menu").get_by_test_id("flow-node-problem")
        await expect(menu_problems).to_have_text(["Option number 1 is used twice"])
        await expect(node(page, "menu")).to_have_attribute("data-invalid", "true")
        await expect(node(page, "menu-1")).to_have_attribute("data-invalid", "false")
        # The list of problems selects the node it is about.
        await select_node(page, "menu-2")
        await page.locator('[data-testid="flow-problem"][data-node-key="menu"]').click()
        await expect(editor).to_have_attribute("data-key", "menu")

        # Publishing saves the draft first, and is refused with the same problem on the node.
        await page.get_by_test_id("flow-publish").click()
        await expect(page.get_by_test_id("flow-error")).to_contain_text(
            "fix them before publishing"
        )
        await expect(menu_problems).to_have_text(["Option number 1 is used twice"])
        await expect(page.get_by_test_id("flow-published-version")).to_have_text("Not published")

        # Fixed and published.
        await editor.get_by_test_id("flow-option-number").nth(1).fill("2")
        await expect(page.get_by_test_id("flow-dirty")).to_be_visible()
        await page.get_by_test_id("flow-publish").click()
        await expect(page.get_by_test_id("flow-notice")).to_have_text("Published as version 1.")
        await expect(page.get_by_test_id("flow-published-version")).to_have_text("Version 1")
        await expect(page.get_by_test_id("flow-unpublished")).to_be_hidden()
        await expect(page.get_by_test_id("flow-dirty")).to_be_hidden()
        await expect(page.get_by_test_id("flow-node-problem")).to_have_count(0)

        # The published version can be opened read-only.
        await page.get_by_test_id("flow-tab-versions").click()
        published = page.locator('[data-testid="flow-version"][data-number="1"]')
        await expect(published).to_have_attribute("data-state", "published")
        await published.get_by_test_id("flow-version-view").click()
        await expect(page.get_by_test_id("flow-viewing")).to_contain_text("version 1")
        await expect(page.get_by_test_id("flow-save")).to_have_count(0)
        await page.get_by_test_id("flow-tab-node").click()
        await select_node(page, "menu-1")
        await expect(editor.get_by_test_id("flow-field-text")).to_be_disabled()
        await page.get_by_test_id("flow-view-draft").click()
        await expect(page.get_by_test_id("flow-viewing")).to_be_hidden()
        await expect(editor.get_by_test_id("flow-field-text")).to_be_enabled()

        # Export: the downloaded JSON is the flow's tree.
        async with page.expect_download() as download_info:
            await page.get_by_test_id("flow-export-current").click()
        download = await download_info.value
        assert download.suggested_filename.endswith(".json")
        path = await download.path()
        exported = json.loads(path.read_text(encoding="utf-8"))
        assert exported["format"] == "helpline.flow"
        assert exported["name"] == name
        assert exported["areas"] == {str(ventas): "Ventas"}
        [menu] = exported["definition"]["nodes"]
        assert (menu["key"], menu["type"], menu["title"]) == ("menu", "menu", "Menú de prueba")
        options = [(o["number"], o["label"], o["target"]) for o in menu["options"]]
        assert options == [(1, "Horarios", "menu-1"), (2, "Ventas", "menu-2")]
        assert menu["options"][0]["keywords"] == ["horario", "hora"]
        message, redirect = menu["children"]
        assert (message["type"], message["text"], message["next"]) == (
            "message",
            "Atendemos de 9 a 18 h.",
            "menu",
        )
        assert (redirect["type"], redirect["areaId"]) == ("redirect", ventas)

        # Back in the list: published, no pending changes; activating it next to the demo
        # flow (also for all channels) is refused and says why.
        await page.get_by_test_id("flow-back").click()
        await expect(page).to_have_url(re.compile(r"/flows$"))
        row = page.locator(f'[data-testid="flow-row"][data-name="{name}"]')
        await expect(row.get_by_test_id("flow-row-version")).to_have_text("Version 1")
        await expect(row.get_by_test_id("flow-unpublished")).to_have_count(0)
        await row.get_by_test_id("flow-active").click()
        await expect(row.get_by_test_id("flow-row-error")).to_contain_text("already active")
        await expect(row.get_by_test_id("flow-active")).not_to_be_checked()

        # Import the exported document (pasted): a new flow, opened in the builder.
        await page.get_by_test_id("flow-import-open").click()
        dialog = page.get_by_test_id("flow-import-dialog")
        await dialog.get_by_test_id("flow-import-text").fill("{not json")
        await dialog.get_by_test_id("flow-import-submit").click()
        await expect(dialog.get_by_test_id("flow-import-error")).to_have_text(
            "This is not valid JSON."
        )
        await dialog.get_by_test_id("flow-import-text").fill(json.dumps(exported))
        await dialog.get_by_test_id("flow-import-submit").click()
        await expect(page.get_by_test_id("flow-name")).to_have_text(f"{name} (2)")
        await expect(node(page, "menu-2").get_by_test_id("flow-node-summary")).to_have_text(
            "→ Ventas"
        )

        # Rename and delete (confirmed) from the list.
        await page.get_by_test_id("flow-back").click()
        copy = page.locator(f'[data-testid="flow-row"][data-name="{name} (2)"]')
        await copy.get_by_test_id("flow-edit").click()
        await page.get_by_test_id("flow-edit-name").fill(f"{name} copia")
        await page.get_by_test_id("flow-edit-save").click()
        renamed = page.locator(f'[data-testid="flow-row"][data-name="{name} copia"]')
        await expect(renamed).to_be_visible()
        await renamed.get_by_test_id("flow-delete").click()
        await expect(page.get_by_test_id("confirm-dialog")).to_contain_text(f"{name} copia")
        await page.get_by_test_id("flow-delete-confirm").click()
        await expect(renamed).to_have_count(0)
        await expect(row).to_be_visible()
    finally:
        await delete_flows(browser_context, base, [name, f"{name} (2)", f"{name} copia"])


async def test_the_try_panel_runs_the_draft(live_server: Any, browser_context: Any) -> None:
    base = live_server.url
    page = await browser_context.new_page()
    await login(page, base, *ADMIN)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    name = f"Probar {uuid.uuid4().hex[:6]}"
    ventas = await area_id(browser_context, base, "Ventas")
    definition = {
        "nodes": [
            {
                "key": "menu",
                "type": "menu",
                "text": "¿Qué necesitás?",
                "options": [
                    {"number": 1, "label": "Horarios", "target": "horarios"},
                    {"number": 2, "label": "Ventas", "target": "a-ventas"},
                ],
                "children": [
                    # back to the menu afterwards: a flow without problems
                    {
                        "key": "horarios",
                        "type": "message",
                        "text": "Atendemos de 9 a 18 h.",
                        "next": "menu",
                    }
                ],
            },
            {"key": "a-ventas", "type": "redirect", "areaId": ventas, "text": "Te paso."},
        ]
    }
    created = await api(
        browser_context, base, "POST", "/api/flows", {"name": name, "definition": definition}
    )
    assert created.status == 201, await created.text()
    flow_id = (await created.json())["id"]
    try:
        await page.goto(f"{base}/flows/{flow_id}")
        await page.get_by_test_id("flow-try-toggle").click()
        panel = page.get_by_test_id("flow-try")
        await panel.get_by_test_id("flow-try-text").fill("hola")
        await panel.get_by_test_id("flow-try-send").click()
        bot = panel.locator('[data-testid="flow-try-message"][data-from="bot"]')
        await expect(bot.last).to_contain_text("¿Qué necesitás?")
        options = panel.get_by_test_id("flow-try-option")
        await expect(options).to_have_text(["1 Horarios", "2 Ventas"])
        await options.filter(has_text="Horarios").click()
        customer = panel.locator('[data-testid="flow-try-message"][data-from="customer"]')
        await expect(customer).to_have_text(["hola", "Horarios"])
        await expect(bot.filter(has_text="Atendemos de 9 a 18 h.")).to_have_count(1)
        # Back at the menu (the message goes on to it): choose Ventas by typing.
        await panel.get_by_test_id("flow-try-text").fill("2")
        await panel.get_by_test_id("flow-try-send").click()
        await expect(panel.get_by_test_id("flow-try-handover")).to_contain_text("→ Ventas")

        # Unsaved changes are pointed out; restart empties the phone.
        await select_node(page, "horarios")
        await page.get_by_test_id("flow-editor").get_by_test_id("flow-field-text").fill("Otro")
        await expect(panel.get_by_test_id("flow-try-unsaved")).to_be_visible()
        await panel.get_by_test_id("flow-try-restart").click()
        await expect(panel.get_by_test_id("flow-try-message")).to_have_count(0)
        await page.get_by_test_id("flow-discard").click()
        await page.get_by_test_id("flow-confirm").click()
        await expect(panel.get_by_test_id("flow-try-unsaved")).to_be_hidden()
    finally:
        await delete_flows(browser_context, base, [name])


async def test_supervisors_read_flows_and_operators_do_not_see_them(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await browser_context.new_page()
    await login(page, base, *SUPERVISOR)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    await go_to(page, "flows")
    await expect(page.get_by_test_id("flows-read-only")).to_be_visible()
    demo = page.locator(f'[data-testid="flow-row"][data-name="{DEMO_FLOW}"]')
    await expect(demo.get_by_test_id("flow-active-text")).to_have_text("Yes")
    for control in ("flow-create", "flow-import-open", "flow-edit", "flow-delete", "flow-active"):
        await expect(page.get_by_test_id(control)).to_have_count(0)

    # The builder shows the tree, read-only.
    await demo.get_by_test_id("flow-open-builder").click()
    await expect(page.get_by_test_id("flow-read-only")).to_be_visible()
    await expect(
        node(page, "menu-principal").get_by_test_id("flow-node-summary").first
    ).to_contain_text("1. Ventas")
    for control in ("flow-save", "flow-publish", "flow-structure", "flow-discard"):
        await expect(page.get_by_test_id(control)).to_have_count(0)
    await select_node(page, "menu-principal")
    editor = page.get_by_test_id("flow-editor")
    await expect(editor.get_by_test_id("flow-field-text")).to_be_disabled()
    await expect(editor.get_by_test_id("flow-option-label").first).to_be_disabled()
    await expect(editor.get_by_test_id("flow-add-option")).to_be_disabled()
    await page.get_by_test_id("flow-tab-settings").click()
    await expect(page.get_by_test_id("flow-setting-menu-keywords")).to_be_disabled()
    rows = page.locator('[data-testid="flow-node"] .flow-node-row')
    await expect(rows.first).to_have_attribute("draggable", "false")

    # Operators get neither the link nor the page.
    operator = await browser_context.browser.new_context(locale="en-US")
    try:
        other = await operator.new_page()
        await login(other, base, *OPERATOR)
        await expect(other).to_have_url(re.compile(r"/chat$"))
        await expect(other.get_by_test_id("nav-chat")).to_be_visible()
        await expect(other.get_by_test_id("nav-flows")).to_have_count(0)
        await other.goto(f"{base}/flows")
        await expect(other).to_have_url(re.compile(r"/chat$"))
    finally:
        await operator.close()


async def test_the_phone_simulator_taps_menu_options(
    live_server: Any, browser_context: Any
) -> None:
    base = live_server.url
    page = await browser_context.new_page()
    await login(page, base, *ADMIN)
    await expect(page).to_have_url(re.compile(r"/chat$"))

    await page.goto(f"{base}/simulator")
    await expect(page.get_by_test_id("sim-channel")).not_to_have_value("")
    await page.get_by_test_id("sim-phone").fill(new_phone())
    await page.get_by_test_id("sim-text").fill("hola")
    await page.get_by_test_id("sim-send").click()
    menu = page.locator('[data-testid="sim-message"][data-menu]')
    await expect(menu.last).to_contain_text("¿En qué te podemos ayudar?")
    options = page.get_by_test_id("sim-options").last.get_by_test_id("sim-option")
    await expect(options.filter(has_text="Estado de pedido")).to_be_visible()
    await options.filter(has_text="Estado de pedido").click()
    mine = page.locator('[data-testid="sim-message"][data-direction="in"]')
    await expect(mine.last.locator(".msg-body")).to_have_text("Estado de pedido")
    await expect(
        page.locator('[data-testid="sim-message"][data-direction="out"]').last
    ).to_contain_text("número de pedido")
