"""Putting untrusted text into generated Markdown (spec exports, write-ups) without breaking it:
one line where a line is expected, pipes escaped inside table cells."""

from __future__ import annotations

from typing import Any


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def table_cell(text: Any) -> str:
    return one_line(text).replace("|", "\\|")


def name_and_description(item: dict[str, Any]) -> str:
    """'name: description' of a {name, description?} item."""
    description = item.get("description")
    return one_line(item["name"]) + (f": {one_line(description)}" if description else "")
