"""The files in deploy/ parse and point at what exists (the cheap half of
scripts/deploy_check.sh, which starts every one of them): systemd units (systemd-analyze
verify where it works), gunicorn's settings, nginx's site (nginx -t), logrotate (logrotate -d),
the environment example and the upgrade script."""

from __future__ import annotations

import configparser
import multiprocessing
import os
import re
import runpy
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("tongban*"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def render(text: str, tmp: Path) -> str:
    """deploy/ names the production paths; point them at this checkout and a scratch dir."""
    return (
        text.replace("/srv/tongban", str(ROOT))
        .replace("/etc/tongban/env", str(tmp / "env"))
        .replace("/var/lib/tongban", str(tmp / "data"))
        .replace("/var/log/tongban", str(tmp / "log"))
    )


def test_every_unit_starts_an_existing_program_with_a_real_command():
    assert [u.name for u in UNITS] == [
        "tongban-scheduler.service",
        "tongban-web.service",
        "tongban-worker-rq.service",
        "tongban-worker.service",
        "tongban.target",
    ]
    commands = get_commands()
    for path in UNITS:
        parsed = unit(path)
        assert parsed.get("Unit", "Description")
        if path.suffix == ".target":
            assert parsed.get("Unit", "Wants").split() == [
                "tongban-web.service",
                "tongban-worker.service",
                "tongban-scheduler.service",
            ]
            continue
        service = parsed["Service"]
        assert (service["User"], service["EnvironmentFile"]) == ("tongban", "/etc/tongban/env")
        assert parsed.get("Install", "WantedBy") == "tongban.target"
        argv = shlex.split(service["ExecStart"])
        program = Path(argv[0].replace("/srv/tongban", str(ROOT)))
        assert program.exists(), program
        if program.name == "tongban":
            assert argv[1] in commands, argv
        if program.name == "gunicorn":
            assert argv[1:] == ["--config", "/srv/tongban/deploy/gunicorn.conf.py"]


def test_the_units_verify_with_systemd(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    (tmp_path / "env").write_text("")
    for path in UNITS:
        text = render(path.read_text(), tmp_path)
        text = re.sub(r"^(User|Group)=tongban$", r"\1=root", text, flags=re.M)
        (tmp_path / path.name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *[str(tmp_path / p.name) for p in UNITS]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [
        line for line in result.stderr.splitlines() if str(tmp_path) in line or "tongban" in line
    ]
    assert (result.returncode, problems) == (0, [])


def test_gunicorn_takes_two_workers_a_core_plus_one(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert (conf["bind"], conf["wsgi_app"], conf["preload_app"]) == (
        "127.0.0.1:8000",
        "tongban.config.wsgi:application",
        True,
    )
    assert (conf["worker_class"], conf["threads"], conf["accesslog"]) == ("sync", 1, "-")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["workers"] == 3


def test_gunicorn_preloading_threads_and_access_log_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    monkeypatch.setenv("GUNICORN_WORKER_CLASS", "gthread")
    monkeypatch.setenv("GUNICORN_THREADS", "4")
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (conf["preload_app"], conf["worker_class"], conf["threads"], conf["accesslog"]) == (
        False,
        "gthread",
        4,
        None,
    )


class _Log:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, message, *args):
        self.lines.append(message % args)

    def exception(self, message, *args):
        self.lines.append("ERROR " + message % args)


class _Cfg:
    def __init__(self, preload_app: bool):
        self.preload_app = preload_app


@pytest.mark.django_db
def test_gunicorn_warms_the_caches_in_the_master_when_preloaded_else_in_each_worker(
    monkeypatch,
):
    from types import SimpleNamespace

    from django.db import connections

    from tests.catalog.specs import department, spec
    from tongban.catalog import search
    from tongban.catalog.services import item_save_spec

    item_save_spec(spec=spec(department("mzj", 7).code), publish=True)
    closed = []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    master = SimpleNamespace(cfg=_Cfg(True), log=_Log())
    worker = SimpleNamespace(cfg=_Cfg(True), log=_Log())
    conf["post_worker_init"](worker)  # preloaded: the worker does nothing
    conf["when_ready"](master)
    assert worker.log.lines == []
    assert len(master.log.lines) == 1
    assert master.log.lines[0].startswith("warmed: 1 catalogue documents, classifier none active")
    assert search._index is not None and len(search._index.docs) == 1
    assert closed == [True]  # no database connection crosses the fork
    search.invalidate()
    worker.cfg = _Cfg(False)
    conf["post_worker_init"](worker)
    assert worker.log.lines[0].startswith("warmed: 1 catalogue documents")


def test_nginx_serves_protected_files_only_internally():
    conf = (DEPLOY / "nginx" / "tongban.conf").read_text()
    protected = re.search(r"location /_protected/ \{(.*?)\}", conf, re.S).group(1)
    assert "internal;" in protected
    assert "alias /var/lib/tongban/media/;" in protected
    assert re.search(r"location /media/ \{\s*return 404;\s*\}", conf)
    assert "alias /var/lib/tongban/static/;" in conf
    assert "client_max_body_size 25m;" in conf  # TONGBAN_UPLOAD_MAX_MB (20) + the form
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf


def test_nginx_logs_paths_without_query_strings():
    """Query strings carry what staff typed (a caller's phone, an ID number in a search): the
    access log uses $uri (no arguments) and no Referer, like gunicorn's access_log_format."""
    conf = (DEPLOY / "nginx" / "tongban.conf").read_text()
    fmt = re.search(r"log_format tongban_noquery (.*?);", conf, re.S).group(1)
    assert "$uri" in fmt
    variables = set(re.findall(r"\$\w+", fmt))
    assert not variables & {"$request", "$request_uri", "$args", "$query_string", "$http_referer"}
    assert "access_log /var/log/tongban/nginx-access.log tongban_noquery;" in conf
    gunicorn_format = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["access_log_format"]
    assert "%(U)s" in gunicorn_format
    assert not {"%(r)s", "%(q)s", "%(f)s"} & set(re.findall(r"%\(\w+\)s", gunicorn_format))


def test_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (scripts/install-debian.sh nginx-light)")
    (tmp_path / "log").mkdir()
    site = render((DEPLOY / "nginx" / "tongban.conf").read_text(), tmp_path)
    site = site.replace("listen 80;", "listen 127.0.0.1:8080;").replace("listen [::]:80;", "")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/log/error.log;\n"
        "events {}\nhttp {\n"
        f"  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_logrotate_accepts_the_config(tmp_path):
    logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
    if not Path(logrotate).exists():
        pytest.skip("logrotate is not installed")
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "nginx-access.log").write_text("GET / 200\n")
    config = render((DEPLOY / "logrotate" / "tongban").read_text(), tmp_path)
    config = config.replace("create 0640 tongban adm", "create 0640 root root")
    (tmp_path / "tongban").write_text(config)
    result = subprocess.run(
        [logrotate, "-d", "-s", str(tmp_path / "state"), str(tmp_path / "tongban")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error")] == []
    assert "nginx-access.log" in result.stderr + result.stdout


def test_every_setting_in_the_environment_example_is_read_somewhere():
    names = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(), re.M)
    assert "DATABASE_URL" in names and "TONGBAN_SENDFILE" in names
    sources = "\n".join(
        p.read_text()
        for p in [*(ROOT / "src" / "tongban").rglob("*.py"), DEPLOY / "gunicorn.conf.py"]
    )
    unread = [n for n in names if n != "DJANGO_SETTINGS_MODULE" and f'"{n}"' not in sources]
    assert unread == []


def test_the_upgrade_script_parses_and_checks_migrations_first():
    script = (DEPLOY / "upgrade.sh").read_text()
    subprocess.run(["bash", "-n", str(DEPLOY / "upgrade.sh")], check=True, timeout=30)
    order = [
        script.index(s)
        for s in (
            "tb backup",
            "tb migrate --check",
            "tb migrate --noinput",
            "restart tongban-web",
            "restart tongban-worker",
        )
    ]
    assert order == sorted(order)
    assert os.access(DEPLOY / "upgrade.sh", os.X_OK)
