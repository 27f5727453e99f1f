"""A `lzctl.diagram.Diagram` as a diagrams.net (draw.io) file, laid out on a deterministic grid.

The file is an `mxfile` whose `<diagram>` holds the `mxGraphModel` as plain XML (diagrams.net
reads it uncompressed as well as deflated; https://www.drawio.com/doc/faq/save-file-formats).
Groups are swimlane containers: their children's geometry is relative to them, so moving an OU
moves its accounts. Top to bottom as the Mermaid chart and the article: GitHub and Pulumi Cloud
above the organisation, Slack below, so deploy links run down into the accounts and
notifications down to the channels. Inside an OU the accounts stand in a column and the child
OUs side by side to its right; repositories and channels stand in a row.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from lzctl.diagram import EDGE_COLOURS, GROUP_COLOURS, NODE_COLOURS, Diagram, Group, Node

NODE_WIDTH = 200
LINE_HEIGHT = 16
HEADER = 30
PAD = 20
GAP = 20
ROW_GAP = 120
MIN_GROUP = (NODE_WIDTH + 2 * PAD, HEADER + 2 * PAD)
ROWS = (("github", "pulumi"), ("root",), ("slack",))
NODES_IN_A_ROW = frozenset({"github", "pulumi", "slack"})


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    parent: str
    """Id of the container the coordinates are relative to (`1`: the page)."""


def node_height(node: Node) -> int:
    return PAD + LINE_HEIGHT * (1 + len(node.details))


def _size(group: Group, boxes: dict[str, Box], x0: int = 0, y0: int = 0, parent: str = "1") -> tuple[int, int]:
    """Lay out `group` at (x0, y0) inside `parent`, recording every box; its (width, height)."""
    x, top = PAD, HEADER + PAD
    bottom = top
    if group.nodes and group.kind in NODES_IN_A_ROW:
        for node in group.nodes:
            boxes[node.id] = Box(x, top, NODE_WIDTH, node_height(node), group.id)
            x, bottom = x + NODE_WIDTH + GAP, max(bottom, top + node_height(node))
    elif group.nodes:
        y = top
        for node in group.nodes:
            boxes[node.id] = Box(x, y, NODE_WIDTH, node_height(node), group.id)
            y += node_height(node) + GAP
        bottom, x = y - GAP, x + NODE_WIDTH + GAP
    for child in group.groups:
        width, height = _size(child, boxes, x, top, group.id)
        bottom, x = max(bottom, top + height), x + width + GAP
    width = max(MIN_GROUP[0], x - GAP + PAD)
    height = max(MIN_GROUP[1], bottom + PAD)
    boxes[group.id] = Box(x0, y0, width, height, parent)
    return width, height


def layout(diagram: Diagram) -> dict[str, Box]:
    """Every group's and node's box: siblings never overlap and children stay inside their parent."""
    boxes: dict[str, Box] = {}
    y = 0
    for kinds in ROWS:
        x, tallest = 0, 0
        for group in (g for g in diagram.groups if g.kind in kinds):
            width, height = _size(group, boxes, x, y)
            x, tallest = x + width + ROW_GAP, max(tallest, height)
        y += tallest + ROW_GAP if tallest else 0
    return boxes


def _value(label: str, details: tuple[str, ...] = ()) -> str:
    """An html=1 label: the text escaped as HTML (the XML writer escapes it once more)."""
    return "<br>".join([f"<b>{html.escape(label)}</b>", *(html.escape(line) for line in details)])


def _cell(root: ET.Element, box: Box, id_: str, value: str, style: str) -> None:
    cell = ET.SubElement(root, "mxCell", id=id_, value=value, style=style, vertex="1", parent=box.parent)
    geometry = dict(x=str(box.x), y=str(box.y), width=str(box.width), height=str(box.height))
    ET.SubElement(cell, "mxGeometry", **geometry, **{"as": "geometry"})


def render(diagram: Diagram) -> str:
    boxes = layout(diagram)
    mxfile = ET.Element("mxfile", host="lzctl")
    page = ET.SubElement(mxfile, "diagram", id="landing-zone", name=diagram.title)
    model = ET.SubElement(page, "mxGraphModel", grid="1", gridSize="10", guides="1", connect="1", arrows="1", page="0")
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", id="0")
    ET.SubElement(root, "mxCell", id="1", parent="0")

    def group(g: Group) -> None:
        fill, stroke = GROUP_COLOURS[g.kind]
        style = f"swimlane;html=1;rounded=1;startSize={HEADER};verticalAlign=top;fontStyle=1;fillColor={fill};strokeColor={stroke};swimlaneFillColor={fill};"
        _cell(root, boxes[g.id], g.id, html.escape(g.label), style)
        for node in g.nodes:
            fill, stroke = NODE_COLOURS[node.kind]
            style = f"rounded=1;whiteSpace=wrap;html=1;verticalAlign=top;fillColor={fill};strokeColor={stroke};"
            _cell(root, boxes[node.id], node.id, _value(node.label, node.details), style)
        for child in g.groups:
            group(child)

    for top in diagram.groups:
        group(top)
    for index, edge in enumerate(diagram.edges):
        style = f"edgeStyle=orthogonalEdgeStyle;rounded=1;html=1;endArrow=block;fontSize=10;labelBackgroundColor=#ffffff;strokeColor={EDGE_COLOURS[edge.kind]};"
        cell = ET.SubElement(
            root, "mxCell", id=f"edge_{index}", value=html.escape(edge.label), style=style, edge="1", parent="1", source=edge.source, target=edge.target
        )
        ET.SubElement(cell, "mxGeometry", relative="1", **{"as": "geometry"})
    ET.indent(mxfile)
    return ET.tostring(mxfile, encoding="unicode") + "\n"
