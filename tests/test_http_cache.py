"""Cache headers and compression of ``build_api`` (``piano_emotion.api.http_cache``).

The Reflex app is replaced by a stand-in that serves a directory shaped like
the production build (``index.html``, pages, ``assets/<name>-<hash>.js`` and
their ``.gz`` sidecars) through Reflex's own ``PrecompressedStaticFiles``, plus
a websocket and a streamed response.
"""

from __future__ import annotations

import gzip

import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.applications import Starlette
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient

from piano_emotion.api import build_api
from piano_emotion.api.http_cache import (
    IMMUTABLE,
    REVALIDATE,
    cache_policy,
    is_hashed_asset,
)

SCRIPT = b"export const greet = () => 'hola';\n" * 200  # about 7 KB
PAGE = b"<!doctype html><html><head><title>PE</title></head><body>" + b"x" * 2000 + b"</body>"
ASSET = "/assets/clients-Dk3x9_aB.js"


@pytest.fixture
def build_dir(tmp_path):
    """A directory like ``.web/build/client`` after ``reflex export``."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "clientes").mkdir()
    for path, body in {
        "index.html": PAGE,
        "clientes/index.html": PAGE,
        "404.html": b"<!doctype html><title>404</title>",
        ASSET.lstrip("/"): SCRIPT,
        "favicon.ico": b"\x00" * 600,
    }.items():
        (tmp_path / path).write_bytes(body)
        if path.endswith((".html", ".js")):
            (tmp_path / f"{path}.gz").write_bytes(gzip.compress(body, 9))
    return tmp_path


@pytest.fixture
def client(build_dir):
    async def stream(request):
        async def chunks():
            for i in range(50):
                yield f"line {i} {'y' * 40}\n".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    async def big_json(request):
        return JSONResponse({"rows": [{"n": i, "name": "cliente"} for i in range(200)]})

    async def tiny_json(request):
        return JSONResponse({"ok": True})

    async def echo(websocket):
        await websocket.accept()
        text = await websocket.receive_text()
        await websocket.send_text("x" * 2000 + text)
        await websocket.close()

    reflex_stand_in = Starlette(
        routes=[
            Route("/_stream", stream),
            Route("/_big", big_json),
            Route("/_tiny", tiny_json),
            WebSocketRoute("/_event", echo),
            Mount(
                "/",
                app=PrecompressedStaticFiles(directory=build_dir, html=True, encodings=["gzip"]),
            ),
        ]
    )
    with TestClient(build_api(reflex_stand_in)) as http:
        yield http


def test_hashed_build_assets_are_cached_for_a_year(client):
    response = client.get(ASSET, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == SCRIPT


def test_html_pages_are_revalidated_with_etag_and_last_modified(client):
    for path in ("/", "/clientes/"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == REVALIDATE
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-encoding"] == "gzip"
        etag = response.headers["etag"]
        assert response.headers["last-modified"]
        again = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["cache-control"] == REVALIDATE


def test_a_missing_asset_is_not_kept(client):
    response = client.get("/assets/old-AAAAAAAA.js")
    assert response.status_code == 404
    assert response.headers["cache-control"] != IMMUTABLE


def test_dynamic_bodies_are_gzipped_above_the_minimum_size(client):
    big = client.get("/_big", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert int(big.headers["content-length"]) < len(big.content) / 3
    assert "Accept-Encoding" in big.headers["vary"]
    assert len(big.json()["rows"]) == 200
    tiny = client.get("/_tiny", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in tiny.headers
    assert tiny.json() == {"ok": True}
    plain = client.get("/_big", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "cache-control" not in big.headers  # API responses choose their own


def test_precompressed_files_are_not_compressed_twice(client):
    response = client.get(ASSET, headers={"Accept-Encoding": "gzip"})
    # httpx decoded exactly one gzip layer into the original script.
    assert response.content == SCRIPT
    assert response.headers["content-encoding"] == "gzip"


def test_streamed_responses_are_compressed_chunk_by_chunk(client):
    with client.stream("GET", "/_stream", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        body = b"".join(response.iter_bytes())
    assert body.count(b"\n") == 50
    assert body.startswith(b"line 0 ")


def test_the_websocket_passes_through_untouched(client):
    with client.websocket_connect("/_event", headers={"Accept-Encoding": "gzip"}) as ws:
        ws.send_text("hola")
        assert ws.receive_text() == "x" * 2000 + "hola"


def test_our_api_routes_keep_their_own_cache_control(client, tmp_path, monkeypatch):
    from piano_emotion import db, migrations, settings
    from piano_emotion.db import create_engine_for

    url = f"sqlite:///{tmp_path / 'api.db'}"
    migrations.upgrade(create_engine_for(url))
    monkeypatch.setenv("DATABASE_URL", url)
    settings.reset_settings_cache()
    try:
        response = client.get("/api/health", headers={"Accept-Encoding": "gzip"})
    finally:
        settings.reset_settings_cache()
        db.dispose_engines()
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-encoding"] == "gzip"
    assert isinstance(response.json()["worker"], int)


@pytest.mark.parametrize(
    ("path", "hashed"),
    [
        ("/assets/clients-Dk3x9_aB.js", True),
        ("/assets/_pianos_.__piano_ref_._index-qo6Oywpa.js", True),
        ("/assets/root-BzXL-1_q.css", True),
        ("/assets/fonts/inter-AbCdEf12.woff2", True),
        ("/assets/logo.svg", False),
        ("/clientes-Dk3x9_aB.js", False),
        ("/", False),
    ],
)
def test_what_counts_as_a_hashed_asset(path, hashed):
    assert is_hashed_asset(path) is hashed


def test_cache_policy_table():
    assert cache_policy(ASSET, 200, "text/javascript") == IMMUTABLE
    assert cache_policy(ASSET, 304, "") == IMMUTABLE
    assert cache_policy(ASSET, 404, "text/html") == "no-store"
    assert cache_policy("/clientes/", 200, "text/html; charset=utf-8") == REVALIDATE
    assert cache_policy("/clientes/", 304, "") == REVALIDATE
    assert cache_policy("/favicon.ico", 200, "image/x-icon") is None
    assert cache_policy("/api/thing", 200, "application/json") is None
