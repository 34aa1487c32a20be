"""End to end in a real headless Chromium (Debian's package, driven by Playwright) against the
real web server, embedded graph server and a Celery worker, all as subprocesses. Screenshots go
to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.conftest import HOSTILE_ID, HOSTILE_TITLE, sample_lines, write_jsonl
from tests.e2e.conftest import SHOTS
from tests.processes import start_webserver, start_worker, stop

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

SAE = "sparseautoencoder"


@pytest.fixture(scope="module")
def server(browse_corpus, tmp_path_factory):
    process, url = start_webserver(tmp_path_factory.mktemp("web") / "server.log")
    yield url
    stop(process)


def node_count(page) -> int:
    return page.evaluate("window.ideagraphExplorer.cy.nodes().length")


def click_node(page, node_id: str, *, double: bool = False) -> None:
    """Click a node where Cytoscape drew it."""
    x, y = page.evaluate(
        """(id) => { const n = window.ideagraphExplorer.cy.getElementById(id);
                     const p = n.renderedPosition();
                     const box = document.getElementById('cy').getBoundingClientRect();
                     return [box.left + p.x, box.top + p.y]; }""",
        node_id,
    )
    if double:
        page.mouse.dblclick(x, y)
    else:
        page.mouse.click(x, y)


def test_explorer_draws_clicks_and_expands(server, page):
    page.goto(f"{server}/graph/?concept={SAE}&limit=30")
    page.wait_for_selector("#explorer[data-ready='true']", timeout=30_000)
    before = node_count(page)
    assert before > 5
    neighbour = page.evaluate(
        f"window.ideagraphExplorer.cy.nodes().filter(n => n.id() !== '{SAE}')"
        ".sort((a, b) => b.data('papers') - a.data('papers'))[0].id()"
    )
    click_node(page, neighbour)
    page.wait_for_selector(f"#panel [data-concept='{neighbour}']", timeout=15_000)
    assert page.locator("#panel h2").inner_text().strip()
    click_node(page, neighbour, double=True)
    page.wait_for_selector("#explorer[data-expanded='1']", timeout=30_000)
    assert node_count(page) > before
    assert "expanded" in page.locator("#graph-status").inner_text()
    page.screenshot(path=SHOTS / "explorer.png")

    page.get_by_role("button", name="Show as a table").click()
    page.wait_for_selector("#table table", timeout=15_000)
    assert page.locator("#table tbody tr").count() >= before


def test_search_then_concept_then_graph_then_paper(server, page):
    page.goto(f"{server}/search/")
    page.locator("#search-box").press_sequentially("sparse autoenc", delay=30)
    first = page.locator("#results section").first.locator("a").first
    first.wait_for(timeout=30_000)
    assert first.inner_text() == "sparse autoencoders"  # named as its papers mostly write it
    assert "q=sparse" in page.url, "live search keeps the address shareable"
    page.screenshot(path=SHOTS / "search.png")
    first.click()
    page.wait_for_url(re.compile(f"/concepts/{SAE}/$"))
    assert page.locator("h1").inner_text().startswith("sparse autoencoder")
    page.screenshot(path=SHOTS / "concept.png", full_page=True)
    paper_link = page.locator("section", has_text="Top papers").locator("a").first
    paper_title = paper_link.inner_text()
    page.get_by_role("link", name="Explore the neighbourhood").click()
    page.wait_for_selector("#explorer[data-ready='true']", timeout=30_000)
    assert node_count(page) > 5
    page.go_back()
    page.locator("section", has_text="Top papers").locator("a").first.click()
    page.wait_for_selector("h1.paper-title")
    assert page.locator("h1.paper-title").inner_text() == paper_title
    assert page.locator(".abstract a.concept").count() >= 1
    page.screenshot(path=SHOTS / "paper.png", full_page=True)


def test_hostile_title_renders_as_text_everywhere(server, page):
    page.goto(f"{server}/papers/{HOSTILE_ID}/")
    assert page.locator("h1.paper-title").inner_text() == HOSTILE_TITLE
    page.goto(f"{server}/search/?q=bold+claims+sparse")
    assert HOSTILE_TITLE in page.locator("#results").inner_text()
    page.goto(f"{server}/graph/?concept={SAE}&papers=1&limit=40")
    page.wait_for_selector("#explorer[data-ready='true']", timeout=30_000)
    paper_node = f"paper:{HOSTILE_ID}"
    assert (
        page.evaluate(f"window.ideagraphExplorer.cy.getElementById('{paper_node}').data('label')")
        == HOSTILE_TITLE
    )
    click_node(page, paper_node)
    page.wait_for_function(
        "document.querySelector('#panel h2') && "
        "document.querySelector('#panel h2').textContent.includes('<script>')"
    )
    page.get_by_role("button", name="Show as a table").click()
    page.wait_for_selector("#table table")
    assert HOSTILE_TITLE in page.locator("#table").inner_text()
    page.screenshot(path=SHOTS / "hostile.png")
    for url in [f"/concepts/{SAE}/", "/"]:
        page.goto(server + url)
    assert page.evaluate("window.__xss") is None, "no script from the data ran"


def test_a_path_is_highlighted_without_squashing_its_nodes(server, page):
    page.goto(f"{server}/graph/?concept={SAE}&limit=30")
    page.wait_for_selector("#explorer[data-ready='true']", timeout=30_000)
    target = page.evaluate(
        f"window.ideagraphExplorer.cy.nodes().filter(n => n.id() !== '{SAE}')[0].id()"
    )
    page.fill("#path-form [name=to]", target)
    page.locator("#path-form [type=submit]").click()
    page.wait_for_function("window.ideagraphExplorer.cy.nodes('.on-path').length >= 2")
    sizes = page.evaluate(
        "window.ideagraphExplorer.cy.nodes('.on-path').map(n => [n.width(), n.data('size')])"
    )
    assert all(width == size for width, size in sizes), sizes  # drawn at their own size
    edge_width = page.evaluate(
        "window.ideagraphExplorer.cy.edges('.on-path').map(e => e.style('width'))"
    )
    assert edge_width and all(w == "5px" for w in edge_width), edge_width


def test_explorer_at_500_nodes(server, page):
    page.goto(f"{server}/graph/?concept=largelanguagemodel&depth=3&limit=500")
    page.wait_for_selector("#explorer[data-ready='true']", timeout=60_000)
    nodes, render_ms = node_count(page), int(page.get_attribute("#explorer", "data-render-ms"))
    assert nodes >= 300, nodes
    assert render_ms < 5000, f"{nodes} nodes drawn in {render_ms} ms"
    page.screenshot(path=SHOTS / "explorer-500.png")


@pytest.fixture(scope="module")
def ingester(browse_corpus, django_db_blocker):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Permission, User

    with django_db_blocker.unblock():
        # Hashed as the server (default settings) checks it, not with the tests' fast hasher.
        password = PBKDF2PasswordHasher().encode("pw-for-e2e", "e2esalt", iterations=1000)
        user = User.objects.create(username="e2e-ingester", password=password)
        user.user_permissions.add(Permission.objects.get(codename="add_ingestjob"))
    yield user
    with django_db_blocker.unblock():
        user.delete()


@pytest.mark.django_db(transaction=True)  # the server and worker write; no open transaction here
def test_upload_and_watch_progress(server, page, ingester, tmp_path):
    worker = start_worker(tmp_path / "worker.log")
    try:
        page.goto(f"{server}/ingest/")
        page.get_by_role("link", name="Log in to ingest papers").click()  # before a file
        page.fill("#id_username", "e2e-ingester")
        page.fill("#id_password", "pw-for-e2e")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{server}/ingest/")
        upload = write_jsonl(tmp_path / "more.jsonl", sample_lines(12, start=500))
        page.set_input_files("input[name=upload]", str(upload))
        page.get_by_role("button", name="Start ingest").click()
        page.wait_for_url(re.compile(r"/ingest/jobs/\d+/$"))
        page.wait_for_selector("[data-status='succeeded']", timeout=180_000)
        assert page.locator("progress").get_attribute("value") == "100"
        assert "12 new" in page.locator("#progress").inner_text()
        page.screenshot(path=SHOTS / "ingest.png")
    finally:
        stop(worker)
