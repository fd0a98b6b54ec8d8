"""The credential chain of the selected event (pivot "credential chain").

One background scan (an exclusive worker) reads the current source and time
range once into a `ChainIndex`, then the chain is resolved and drawn as a tree:
origin -> sessions -> keys, each with its event count and addresses.  `enter`
on a node closes the screen with a pivot narrowing the list to that node's
events; `esc` or `q` goes back.  Every label is event data: escaped and drawn
as `Text`, never markup.
"""

from __future__ import annotations

from contextlib import aclosing

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from trailtui.aws.config import AwsConfig
from trailtui.chains import ChainIndex, ChainNode, chain_tree, collect_chains, resolve
from trailtui.safe import visible
from trailtui.sources import SourceError, open_source
from trailtui.timerange import TimeRange
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.pivots import Pivot

MAX_SHOWN_IPS = 4


def node_label(node: ChainNode) -> Text:
    text = Text()
    if node.kind == "key":
        text.append(visible(node.title), style="bold")
    else:
        text.append(visible(node.title))
    count = f"  {node.events:,} event{'s' if node.events != 1 else ''}" if node.kind != "session" or node.events else ""
    text.append(count)
    if node.source_ips:
        shown = ", ".join(visible(ip) for ip in node.source_ips[:MAX_SHOWN_IPS])
        more = f" +{len(node.source_ips) - MAX_SHOWN_IPS}" if len(node.source_ips) > MAX_SHOWN_IPS else ""
        text.append(f"  from {shown}{more}")
    if node.source_identity:
        text.append(f"  source identity {visible(node.source_identity)}")
    if node.asked:
        text.append("  ◀ this event", style="reverse")
    return text


class ChainScreen(DismissOnce, Screen[Pivot | None]):
    """Dismisses with a pivot on the chosen node's events, or None."""

    BINDINGS = keys.bindings(keys.CHAIN)

    def __init__(self, source_url: str, aws: AwsConfig, start_key: str, time_range: TimeRange) -> None:
        super().__init__()
        self.source_url = source_url
        self.aws = aws
        self.start_key = start_key
        self.time_range = time_range
        self.root: ChainNode | None = None
        self.done = False

    def compose(self) -> ComposeResult:
        title = Text("Credential chain", style="bold")
        title.append(f"  {visible(self.start_key)}  ·  {self.time_range.describe()}")
        yield Static(title, id="chain-title")
        tree: Tree[ChainNode] = Tree(Text("…"), id="chain-tree")
        tree.auto_expand = False
        tree.show_root = True
        tree.guide_depth = 2
        yield tree
        yield Static(Text(""), id="chain-detail")
        yield Static(Text("starting…"), id="chain-status")
        yield Static(Text("enter: show its events   j k g G: move   esc q: back"), id="chain-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()
        self.scan()

    @work(exclusive=True, group="trailtui-chain")
    async def scan(self) -> None:
        try:
            source = open_source(self.source_url, self.aws)
        except SourceError as exc:
            self._status(str(exc), error=True)
            return
        index = ChainIndex()
        problems = 0
        try:
            async with aclosing(collect_chains(source, self.time_range, index=index)) as steps:  # type: ignore[type-var]
                async for step in steps:
                    problems += len(step.problems)
                    self._status(f"reading: {step.scanned:,} events scanned")
        except SourceError as exc:
            self._status(str(exc), error=True)
            return
        finally:
            await source.close()
        chain = resolve(index, self.start_key)
        self.root = chain_tree(chain)
        self._draw(self.root)
        notes = "; ".join(chain.notes)
        unread = f", {problems} unreadable" if problems else ""
        self.done = True
        self._status(f"done: {index.events:,} events read, {len(chain.keys)} keys, {len(chain.links)} links{unread}"
                     + (f" · {notes}" if notes else ""))

    def _draw(self, root: ChainNode) -> None:
        tree: Tree[ChainNode] = self.query_one(Tree)
        tree.clear()
        tree.root.set_label(node_label(root))
        tree.root.data = root
        stack: list[tuple[TreeNode[ChainNode], ChainNode]] = [(tree.root, root)]
        asked: TreeNode[ChainNode] | None = tree.root if root.asked else None
        while stack:
            parent, node = stack.pop()
            for child in node.children:
                added = parent.add(node_label(child), data=child, expand=True, allow_expand=bool(child.children))
                if child.asked and child.kind == "key":
                    asked = added
                stack.append((added, child))
        tree.root.expand_all()
        chosen = asked or tree.root
        self._show_detail(chosen.data)
        self.call_after_refresh(tree.move_cursor, chosen)  # lines are known once the tree has laid out

    def _status(self, message: str, error: bool = False) -> None:
        status = self.query_one("#chain-status", Static)
        status.update(Text(visible(message), no_wrap=True, overflow="ellipsis"))
        status.set_class(error, "-error")

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[ChainNode]) -> None:
        event.stop()
        self._show_detail(event.node.data)

    def _show_detail(self, node: ChainNode | None) -> None:
        lines = node.detail if node is not None else []
        self.query_one("#chain-detail", Static).update(Text("\n".join(visible(line) for line in lines),
                                                            no_wrap=True, overflow="ellipsis"))

    def on_tree_node_selected(self, event: Tree.NodeSelected[ChainNode]) -> None:
        event.stop()
        node = event.node.data
        if node is None:
            return
        expression = node.filter_expression()
        if not expression:
            self.notify("this node has no events to show", severity="warning")
            return
        label = f"chain {node.keys[0] if len(node.keys) == 1 else node.kind}"
        self.dismiss(Pivot("credential chain", label, expression, value=visible(node.title)))

    def action_choose(self) -> None:
        self._tree().action_select_cursor()

    def _tree(self) -> Tree[ChainNode]:
        return self.query_one(Tree)

    def action_cursor(self, step: int) -> None:
        tree = self._tree()
        if step > 0:
            tree.action_cursor_down()
        else:
            tree.action_cursor_up()

    def action_first(self) -> None:
        self._tree().cursor_line = 0

    def action_last(self) -> None:
        tree = self._tree()
        tree.cursor_line = max(0, tree.last_line)

    def action_back(self) -> None:
        self.dismiss(None)
