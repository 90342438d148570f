"""Per-key token buckets and the documented rate-limit headers."""

from __future__ import annotations

from datetime import datetime

from sim_helpers import TIMESTAMP, Api, assert_problem

from hostup_sim.ratelimit import TokenBuckets
from hostup_sim.server import SimServer
from hostup_sim.world import READONLY_API_KEY


def test_rate_limit_is_off_by_default(api: Api) -> None:
    responses = [api.get("/api/v2/vps") for _ in range(30)]
    assert all(r.status_code == 200 for r in responses)
    assert "X-RateLimit-Limit" not in responses[0].headers


def test_rate_limit_headers_count_down_then_429(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(rate_limit_rps=0.5, rate_limit_burst=3)
    ok = [api.get("/api/v2/vps") for _ in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert [r.headers["X-RateLimit-Remaining"] for r in ok] == ["2", "1", "0"]
    assert {r.headers["X-RateLimit-Limit"] for r in ok} == {"3"}
    assert TIMESTAMP.match(ok[0].headers["X-RateLimit-Reset"])
    limited = api.get("/api/v2/vps")
    assert_problem(limited, 429, "rate_limited")
    assert limited.headers["Retry-After"] == "2"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    reset = datetime.fromisoformat(limited.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    answered = datetime.fromisoformat(limited.json()["timestamp"].replace("Z", "+00:00"))
    assert 0 < (reset - answered).total_seconds() <= 6.1


def test_rate_limit_is_per_key(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(rate_limit_rps=0.5, rate_limit_burst=1)
    assert api.get("/api/v2/vps").status_code == 200
    assert api.get("/api/v2/vps").status_code == 429
    assert api.as_key(READONLY_API_KEY).get("/api/v2/vps").status_code == 200


def test_rate_limit_never_limits_the_admin_path(api: Api, sim: SimServer) -> None:
    sim.store.update_settings(rate_limit_rps=0.5, rate_limit_burst=1)
    api.get("/api/v2/vps")
    assert all(api.get("/_sim/health").status_code == 200 for _ in range(5))


def test_token_buckets_refill_over_time() -> None:
    now = [1000.0]
    buckets = TokenBuckets(rps=2.0, burst=2, clock=lambda: now[0])
    assert buckets.take("k").allowed
    assert buckets.take("k").allowed
    denied = buckets.take("k")
    assert not denied.allowed
    assert denied.retry_after == 1
    now[0] += 0.5
    again = buckets.take("k")
    assert again.allowed
    assert again.remaining == 0
    assert again.reset_at == now[0] + 1.0
