"""The browsing pages and the JSON API, on a small real corpus with one hostile paper."""

import pytest
import yaml
from django.urls import get_resolver

from tests.conftest import HOSTILE_ID, HOSTILE_TITLE

pytestmark = pytest.mark.django_db

SAE = "sparseautoencoder"
LLM = "largelanguagemodel"


def test_search_api_finds_concepts_with_keys_and_papers(browse_corpus, client):
    body = client.get("/api/search", {"q": "sparse autoencoders"}).json()
    assert body["concepts"][0]["key"] == SAE, "the concept the query names comes first"
    assert all({"key", "name", "kind", "papers"} <= set(c) for c in body["concepts"])
    titles = [p["title"].lower() for p in body["papers"]]
    assert titles and sum("sparse autoencoder" in t for t in titles[:5]) >= 3
    assert {"words", "meaning"} <= {m for p in body["papers"] for m in p["matched"]}


def test_search_treats_query_syntax_as_words(browse_corpus, client):
    for q in ["@title:{x} | -foo*", "AND OR NOT (", "%%%", "the of and"]:
        response = client.get("/api/search", {"q": q})
        assert response.status_code == 200, q
        assert set(response.json()) == {"query", "papers", "concepts"}


def test_search_page_live_results_are_a_partial(browse_corpus, client):
    full = client.get("/search/", {"q": "sparse autoencoder"})
    partial = client.get("/search/", {"q": "sparse autoencoder"}, HTTP_HX_REQUEST="true")
    assert full.status_code == partial.status_code == 200
    assert b"<html" in full.content and b"<html" not in partial.content
    assert b'id="results"' in partial.content and f"/concepts/{SAE}/".encode() in partial.content


def test_neighbourhood_api_shape_and_limits(browse_corpus, client):
    body = client.get(f"/api/concepts/{LLM}/neighborhood", {"limit": 15}).json()
    assert body["center"] == LLM
    assert 2 <= len(body["nodes"]) <= 15
    assert all({"id", "label", "kind", "field", "papers"} <= set(n) for n in body["nodes"])
    ids = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])
    assert {e["type"] for e in body["edges"]} == {"cooccurs"}

    def centre_weights(view):
        return sorted(
            (e["weight"] for e in view["edges"] if LLM in (e["source"], e["target"])), reverse=True
        )

    everything = client.get(f"/api/concepts/{LLM}/neighborhood", {"limit": 500}).json()
    kept, available = centre_weights(body), centre_weights(everything)
    assert len(kept) == 14 < len(available)
    assert kept == available[:14], "the strongest links are kept"


def test_neighbourhood_depth_two_reaches_further(browse_corpus, client):
    one = client.get(f"/api/concepts/{SAE}/neighborhood", {"depth": 1, "limit": 200}).json()
    two = client.get(f"/api/concepts/{SAE}/neighborhood", {"depth": 2, "limit": 200}).json()
    assert {n["depth"] for n in one["nodes"]} == {0, 1}
    assert max(n["depth"] for n in two["nodes"]) == 2
    assert len(two["nodes"]) > len(one["nodes"])


def test_neighbourhood_filters(browse_corpus, client):
    url = f"/api/concepts/{LLM}/neighborhood"
    methods = client.get(url, {"kinds": "method", "limit": 100}).json()
    assert {n["kind"] for n in methods["nodes"] if n["id"] != LLM} == {"method"}
    strong = client.get(url, {"min_weight": 3, "limit": 100}).json()
    assert strong["edges"] and all(e["weight"] >= 3 for e in strong["edges"])
    assert len(strong["nodes"]) < len(client.get(url, {"limit": 100}).json()["nodes"])
    none_yet = client.get(url, {"until": "2000-01-01"}).json()
    assert [n["id"] for n in none_yet["nodes"]] == [LLM]


def test_neighbourhood_similar_and_paper_nodes(browse_corpus, client):
    body = client.get(
        f"/api/concepts/{SAE}/neighborhood", {"similar": 1, "papers": 1, "limit": 40}
    ).json()
    types = {e["type"] for e in body["edges"]}
    assert {"cooccurs", "mentions", "similar"} <= types
    similar = [e for e in body["edges"] if e["type"] == "similar"]
    assert all(0.0 < e["weight"] <= 1.0 for e in similar), "a similar edge's weight is a cosine"
    shown = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in shown and e["target"] in shown for e in similar)
    papers = [n for n in body["nodes"] if n["kind"] == "paper"]
    assert any(n["label"] == HOSTILE_TITLE for n in papers), "raw text: the client escapes"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"depth": 9}, "depth"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"kinds": "method,spell"}, "kinds"),
        ({"fields": "cs.LG,<b>"}, "fields"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "since"),
        ({"limit": ["5", "7"]}, "limit"),
    ],
)
def test_neighbourhood_bad_parameters_are_named(browse_corpus, client, params, field):
    response = client.get(f"/api/concepts/{LLM}/neighborhood", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_hubs_are_left_out_of_other_views_unless_asked(browse_corpus, client):
    from browse.selectors.explorer import hub_min_papers
    from ingest.termhood import phrase_is_generic

    url = f"/api/concepts/{SAE}/neighborhood"
    plain = client.get(url, {"limit": 200}).json()
    hidden = {h["id"] for h in plain["hidden_hubs"]}
    assert "accuracy" in hidden  # a generic word in every other abstract
    threshold = hub_min_papers()
    for node in plain["nodes"][1:]:
        assert node["papers"] < threshold, node
        assert not phrase_is_generic(node["label"].split(), strict=True), node
    asked = client.get(url, {"limit": 200, "hubs": 1}).json()
    assert hidden <= {n["id"] for n in asked["nodes"]} and asked["hidden_hubs"] == []
    # a hub's own view is still its own
    assert client.get(f"/api/concepts/{LLM}/neighborhood").json()["center"] == LLM


def test_paths_go_through_specific_concepts_when_they_can(browse_corpus, client):
    from browse.selectors.explorer import hub_min_papers

    body = client.get(f"/api/concepts/{SAE}/path", {"to": LLM}).json()
    middle = body["nodes"][1:-1]
    assert [body["nodes"][0]["id"], body["nodes"][-1]["id"]] == [SAE, LLM]
    assert all(n["papers"] < hub_min_papers() for n in middle)


def test_unknown_concept_is_404_everywhere(browse_corpus, client):
    assert client.get("/api/concepts/nosuchthing/neighborhood").status_code == 404
    assert client.get("/api/concepts/nosuchthing").status_code == 404
    assert client.get("/concepts/nosuchthing/").status_code == 404
    assert client.get("/papers/2501.00000/").status_code == 404
    assert b"No concept named" in client.get("/graph/", {"concept": "no such thing"}).content


def test_path_between_two_concepts(browse_corpus, client):
    body = client.get(f"/api/concepts/{SAE}/path", {"to": "in-context learning"}).json()
    ids = [n["id"] for n in body["nodes"]]
    assert ids[0] == SAE and ids[-1] == "incontextlearning"
    assert len(body["edges"]) == len(ids) - 1


def test_concept_page(browse_corpus, client):
    page = client.get(f"/concepts/{SAE}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "sparse autoencoder" in html and "Papers per month" in html
    assert "cs.LG" in html and f"/graph/?concept={SAE}" in html
    assert "Related, never mentioned together" in html


def test_concept_panel_is_a_partial(browse_corpus, client):
    panel = client.get(f"/concepts/{SAE}/", {"panel": 1}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert f'data-concept="{SAE}"'.encode() in panel.content


def test_paper_page_links_its_concepts_and_neighbours(browse_corpus, client):
    page = client.get(f"/papers/{HOSTILE_ID}v2/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<a class="concept" href="/concepts/{SAE}/">sparse autoencoders</a>' in html
    assert f"https://arxiv.org/abs/{HOSTILE_ID}" in html
    assert "Similar papers" in html and "cosine" in html


def test_hostile_text_is_escaped_on_every_page(browse_corpus, client):
    pages = [
        f"/papers/{HOSTILE_ID}/",
        f"/concepts/{SAE}/",
        "/search/?q=bold+claims",
        f"/graph/?concept={SAE}&papers=1&table=1",
        "/",
    ]
    for url in pages:
        html = client.get(url, HTTP_HX_REQUEST="true" if "table" in url else None).content
        assert b"<script>window.__xss" not in html, url
        assert b"<img src=x" not in html, url
        assert b"<b>bold</b>" not in html, url
    paper = client.get(f"/papers/{HOSTILE_ID}/").content
    assert b"&lt;script&gt;window.__xss = 1&lt;/script&gt;" in paper


def test_graph_table_view_lists_the_neighbourhood(browse_corpus, client):
    response = client.get(
        "/graph/", {"concept": "Sparse Autoencoders", "table": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<html" not in response.content
    assert b"<table>" in response.content and f"/concepts/{SAE}/".encode() in response.content


def test_fields_map_and_bridges(browse_corpus, client):
    body = client.get("/api/fields").json()
    codes = {f["code"] for f in body["fields"]}
    assert {"cs.CL", "cs.LG"} <= codes
    a, b = body["shared"][0]["a"], body["shared"][0]["b"]
    bridges = client.get("/api/fields/bridges", {"a": a, "b": b}).json()["bridges"]
    assert bridges and all(br["share_a"] >= 0.2 and br["share_b"] >= 0.2 for br in bridges)
    page = client.get("/fields/", {"a": a, "b": b})
    assert page.status_code == 200 and bridges[0]["name"].encode() in page.content
    assert client.get("/api/fields/bridges", {"a": "x y"}).status_code == 400


def test_dashboard_lists_connected_and_growing(browse_corpus, client):
    html = client.get("/").content.decode()
    assert "Most connected concepts" in html and f"/concepts/{LLM}/" in html
    assert "Fastest-growing concepts" in html


def test_openapi_describes_every_api_route(client):
    spec = yaml.safe_load(client.get("/api/openapi.yaml").getvalue())
    documented = set(spec["paths"])
    routes = {
        "/" + str(p.pattern).replace("<str:key>", "{key}")
        for p in get_resolver().url_patterns
        if str(p.pattern).startswith("api/")
    }
    assert routes <= documented, routes - documented


@pytest.mark.parametrize(
    "path",
    [
        "/search/",
        "/graph/",
        "/fields/",
        f"/concepts/{SAE}/",
        f"/papers/{HOSTILE_ID}/",
        "/api/search?q=x",
        f"/api/concepts/{SAE}/neighborhood",
        "/api/fields",
    ],
)
def test_reading_pages_honour_login_for_reading(browse_corpus, client, settings, path):
    assert client.get(path).status_code == 200
    settings.LOGIN_REQUIRED_FOR_READING = True
    assert client.get(path).status_code == 302


def test_a_typed_acronym_finds_its_concept(browse_corpus, client):
    from browse import selectors

    assert selectors.concept_resolve(text="LLMs") == LLM
    assert client.get("/api/search", {"q": "SAEs"}).json()["concepts"][0]["key"] == SAE
