"""Plain-text rendering of evaluation reports for the command line (the exact layout is
documented in docs/dispatch-classifier.md)."""

from __future__ import annotations

import unicodedata


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [_pad(str(c), widths[i], right=i > 0) for i, c in enumerate(r)]
        out.append("  ".join(cells).rstrip())
    return out


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def evaluation_lines(report: dict) -> list[str]:
    lines = [
        f"rows: {report['rows']}",
        f"accuracy: {_num(report['accuracy'])}",
        f"macro-F1: {_num(report['macro_f1'])}",
        f"expected calibration error: {_num(report['ece'])}",
    ]
    if report["unseen_labels"]:
        lines.append(
            f"labels unseen at training (counted as errors): {', '.join(report['unseen_labels'])} "
            f"({report['unseen_rows']} rows)"
        )
    if report["no_prediction_rows"]:
        lines.append(
            f"rows with neither title nor text (no prediction, counted as errors): "
            f"{report['no_prediction_rows']}"
        )
    lines += ["", "per class:"]
    lines += table(
        ["label", "precision", "recall", "F1", "support"],
        [
            [
                x["label"] + (" (unseen)" if x["unseen"] else ""),
                _num(x["precision"]),
                _num(x["recall"]),
                _num(x["f1"]),
                str(x["support"]),
            ]
            for x in report["per_label"]
        ],
    )
    labels = report["labels"]
    lines += ["", "confusion matrix (rows: true label, columns: predicted label; '-' = none):"]
    lines += table(
        ["true \\ predicted", *[f"[{i}]" for i in range(len(labels))], "-"],
        [
            [f"[{i}] {label}", *[str(v) for v in row]]
            for i, (label, row) in enumerate(zip(labels, report["confusion_matrix"], strict=True))
        ],
    )
    lines += ["", "confidence threshold → coverage → precision:"]
    lines += table(
        ["threshold", "coverage", "covered", "precision"],
        [
            [_num(t["threshold"], 2), _num(t["coverage"]), str(t["covered"]), _num(t["precision"])]
            for t in report["thresholds"]
        ],
    )
    return lines
