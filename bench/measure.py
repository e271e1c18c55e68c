"""Figures and process accounting shared by the HTTP benchmarks (cases.py, hotline.py)."""

from __future__ import annotations

import os
import socket
import statistics
from pathlib import Path

HOST = "127.0.0.1"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def line(label: str, ms: list[float], count: int, seconds: float, unit: str = "/s") -> str:
    rate = count / seconds if seconds else 0.0
    median = statistics.median(ms) if ms else float("nan")
    return (
        f"  {label:<38} {count:>6} in {seconds:6.2f} s = {rate:8.1f}{unit}   "
        f"p50 {median:7.2f} ms  p99 {pct(ms, 0.99):7.2f} ms"
    )


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on


def children(root: int) -> list[int]:
    """A process and its live children."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == root:
                pids.append(int(entry.name))
    return pids


def tree_cpu(root: int | None) -> float:
    """CPU seconds (user + system) used so far by a process and its live children."""
    if root is None or not Path("/proc").is_dir():
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in children(root):
        fields = _stat(pid)
        if fields:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def postmaster_pid() -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _stat(backend)
    return int(fields[1]) if fields else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
