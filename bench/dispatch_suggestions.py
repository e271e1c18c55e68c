"""How fast the intake page's subject suggestions answer (``GET /console/hotline/intake/
suggestions/``), in process, with and without an active dispatch model.

    .venv/bin/python bench/dispatch_suggestions.py                 # tiny model of the tests
    .venv/bin/python bench/dispatch_suggestions.py --model DIR     # a real model directory

Sets up Django (test settings, a throwaway data directory, an in-memory SQLite database
migrated quietly), the small district of the hotline tests, an operator, and a model (the
tests' tiny one, or ``--model`` with an evaluation report). Then ``--requests`` GETs with
varied messages through the whole Django stack (session, permission checks, the address
index, the model, the catalogue mapping, the template), and the model's ``top_k`` alone for
the same messages: the difference is what the endpoint adds. Prints p50/p99 in ms. Never fails
on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

MESSAGES = [
    "学府路积水很深，请尽快处理",
    "小区门口路灯不亮已经一周了",
    "楼上装修噪音扰民，晚上十点还在施工",
    "家里突然停水了，也没有通知",
    "望湖路下雨后内涝严重，车辆无法通行",
    "春晖小区夜里有人唱歌吵闹",
    "自来水水压很低，楼上没有水",
    "湖滨花园外面的路灯一直闪",
]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="tongban-bench-suggest-")
    os.environ["TONGBAN_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.config.settings.test"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DATABASES["default"]["NAME"] = ":memory:"
    call_command("migrate", verbosity=0)

    from tests.hotline import dispatch_model
    from tests.hotline.factories import hotline_world, operator_in

    from tongban.hotline import suggestions

    world = hotline_world()
    operator = operator_in(world)
    client = Client()
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    url = "/console/hotline/intake/suggestions/"
    address = "云溪区云溪街道望湖社区学府路 18 号"

    def run(label: str, n: int) -> list[float]:
        times = []
        for i in range(n):
            # a new text each time (also across runs): the per-message caches never answer
            content = f"{MESSAGES[i % len(MESSAGES)]}（{label}第{i}次）"
            started = time.perf_counter()
            response = client.get(url, {"content": content, "address": address})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(f"{label:<34} p50 {pct(times, 0.5):6.2f} ms   p99 {pct(times, 0.99):6.2f} ms")
        return times

    suggestions.install()
    run("endpoint, no model active", args.requests)
    if args.model is None:
        model_dir = dispatch_model.build(Path(data_dir) / "tiny-model")
    else:
        model_dir = args.model
    model = dispatch_model.activate(model_dir)
    print(f"model: {model_dir} ({len(model.labels)} labels)")
    run("endpoint, model active", args.requests)
    alone = []
    for i in range(args.requests):
        content = f"{MESSAGES[i % len(MESSAGES)]}（model alone 第{i}次）"
        started = time.perf_counter()
        model.top_k(suggestions.title_of("", content), content, k=6)
        alone.append((time.perf_counter() - started) * 1000)
    print(
        f"{'model.top_k alone':<34} p50 {pct(alone, 0.5):6.2f} ms   p99 {pct(alone, 0.99):6.2f} ms"
    )
    with_model = run("endpoint, model active (again)", args.requests)
    print(
        f"the endpoint adds about {statistics.median(with_model) - statistics.median(alone):.2f} ms"
        " to the model (median)"
    )


if __name__ == "__main__":
    main()
