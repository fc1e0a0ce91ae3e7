"""The bot as a pure state machine: (flow, state, what the customer sent) -> (actions, state).

No I/O, no database, no clock: the service around it loads the state, applies the actions
(messages through the outbox, hand-over, close, events) and stores the new state. Any
input at all gives a valid answer: what the bot does not understand takes the
invalid-answer path, and after too many of those a person takes over.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from helpline.flows.definition import (
    ActionNode,
    AnyNode,
    CatalogEntry,
    CompiledFlow,
    EndNode,
    FlowDefinition,
    MenuNode,
    MenuOption,
    MessageNode,
    RedirectNode,
    compile_flow,
    waits_for,
)

# Longer answers are not read at all: no option, keyword or field is that long.
MAX_ANSWER = 1000
# Steps one customer message may run through before the bot gives up (a safety net: a
# published flow has no loop without a question).
MAX_HOPS = 100

RETRY_TEXTS = {
    "name": "Escribí tu nombre, por favor (hasta 80 caracteres).",
    "email": "Ese correo no parece válido. Escribilo de nuevo, por ejemplo nombre@ejemplo.com.",
    "dni": "El DNI tiene 7 u 8 números, sin puntos. Probá de nuevo, por favor.",
    "number": "Escribí solo números, por favor.",
    "text": "No pude leer tu respuesta. Escribila de nuevo, por favor.",
}
NOT_FOUND_TEXT = "No encontramos ese dato. Revisalo y escribilo de nuevo, por favor."


# --- what comes in and what the bot keeps ---------------------------------------------


@dataclass(frozen=True)
class Inbound:
    """A customer message: its text, its type (text, image, sticker, audio, ...) and, for
    a tap on an interactive button or list row, the id of the option."""

    text: str = ""
    type: str = "text"
    reply_id: str | None = None


@dataclass(frozen=True)
class BotState:
    """Where the bot is in a conversation: the node it waits at (None: not started or
    finished), what it waits for, how many invalid answers it got there, and what it
    collected."""

    node_key: str | None = None
    waiting: str | None = None
    invalid_count: int = 0
    data: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    finished: bool = False


# --- what the bot does ----------------------------------------------------------------


@dataclass(frozen=True)
class SendText:
    text: str
    media_url: str | None = None


@dataclass(frozen=True)
class MenuChoice:
    id: str  # the interactive reply id: "<node key>:<number>"
    number: int
    label: str


@dataclass(frozen=True)
class SendMenu:
    """A menu: the service sends it as buttons or a list where the provider can, else as
    numbered text (`numbered_text`)."""

    node_key: str
    text: str
    options: tuple[MenuChoice, ...]

    def numbered_text(self) -> str:
        lines = [f"{o.number}. {o.label}" for o in self.options]
        return "\n".join([self.text, "", *lines]) if lines else self.text


# Where an answer is kept on the contact besides the run's data (custom: the contact's
# custom attribute of the same key, when the admin defined one).
CONTACT_FIELDS = {"name": "name", "email": "email", "dni": "document"}


@dataclass(frozen=True)
class StoreField:
    key: str  # name, email, dni or a custom key
    value: str
    # Also kept on the contact: "name", "email", "document" or "attributes.<key>".
    contact_field: str | None = None


@dataclass(frozen=True)
class SetTag:
    tag: str


@dataclass(frozen=True)
class CallWebhook:
    url: str
    node_key: str


@dataclass(frozen=True)
class Handover:
    """A person takes over in `area_id` (None: the flow's default area)."""

    area_id: int | None
    reason: str  # redirect | human | invalid | dead_end | loop
    node_key: str | None = None


@dataclass(frozen=True)
class Close:
    node_key: str


@dataclass(frozen=True)
class Trace:
    """A line for the conversation's timeline: what the bot did and why."""

    kind: str  # bot_started, bot_choice, bot_invalid, bot_data, bot_tag, bot_webhook, ...
    node_key: str | None
    note: str = ""


Action = SendText | SendMenu | StoreField | SetTag | CallWebhook | Handover | Close | Trace


@dataclass(frozen=True)
class StepResult:
    actions: tuple[Action, ...]
    state: BotState


# --- reading what the customer wrote --------------------------------------------------

# Keycap emoji ("1️⃣") are a digit followed by these two: dropping them leaves the digit.
_KEYCAP = dict.fromkeys(map(ord, "\ufe0f\u20e3"), None)
_NUMBER = re.compile(r"(\d{1,2})\s*[.)\-:]?")


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form: "  Menú " -> "menu"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_KEYCAP))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@dataclass(frozen=True)
class Answer:
    """An inbound message read once: readable text only (media, empty or huge: not)."""

    raw: str
    norm: str
    tokens: tuple[str, ...]
    reply_id: str | None

    @classmethod
    def read(cls, inbound: Inbound) -> Answer:
        readable = inbound.type in ("text", "interactive", "button") and (
            len(inbound.text) <= MAX_ANSWER
        )
        raw = inbound.text.strip() if readable else ""
        norm = normalize(raw)
        return cls(raw, norm, tuple(words(norm)), inbound.reply_id)

    def has_phrase(self, phrase: str) -> bool:
        """`phrase` appears as whole words ("quiero un asesor" has "asesor")."""
        wanted = words(normalize(phrase))
        n = len(wanted)
        return n > 0 and any(
            list(self.tokens[i : i + n]) == wanted for i in range(len(self.tokens) - n + 1)
        )

    def is_any(self, phrases: Iterable[str]) -> bool:
        return any(self.norm and self.norm == normalize(p) for p in phrases)

    def number(self) -> int | None:
        match = _NUMBER.fullmatch(self.norm)
        if match:
            return int(match.group(1))
        digits = [t for t in self.tokens if t.isdigit() and len(t) <= 2]
        if len(digits) == 1 and len(self.tokens) <= 3:  # "opción 2", "la 3"
            return int(digits[0])
        return None


def _reply_number(answer: Answer, node: MenuNode) -> int | None:
    if not answer.reply_id:
        return None
    node_key, _, number = answer.reply_id.rpartition(":")
    return int(number) if node_key == node.key and number.isdigit() else None


def exact_option(node: MenuNode, answer: Answer) -> MenuOption | None:
    """The option picked unmistakably: a tapped button, its number, label or keyword."""
    wanted = _reply_number(answer, node)
    if wanted is None:
        wanted = answer.number()
    for option in node.options:
        if wanted is not None and option.number == wanted:
            return option
    for option in node.options:
        if answer.is_any([option.label, *option.keywords]):
            return option
    return None


def loose_option(node: MenuNode, answer: Answer) -> MenuOption | None:
    """The one option whose keyword or label appears in a longer answer ("ventas, gracias")."""
    found = [o for o in node.options if any(map(answer.has_phrase, [o.label, *o.keywords]))]
    return found[0] if len(found) == 1 else None


def check_answer(check: str, answer: Answer) -> str | None:
    """The cleaned value of a valid answer to an ask step, or None."""
    value = " ".join(answer.raw.split())
    if not value:
        return None
    if check == "name":
        return value if len(value) <= 80 and any(ch.isalpha() for ch in value) else None
    if check == "email":
        try:
            found = validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            return None
        return str(found.normalized)
    if check in ("dni", "number"):
        digits = re.sub(r"[\s.\-]", "", value)
        pattern = r"\d{7,8}" if check == "dni" else r"\d{1,20}"
        return digits if re.fullmatch(pattern, digits) else None
    return value if len(value) <= 500 else None


def lookup(entries: list[CatalogEntry], answer: Answer) -> CatalogEntry | None:
    """The entry whose key the answer is, or names ("pedido #1001" finds 1001)."""

    def plain(text: str) -> str:
        return re.sub(r"\W", "", normalize(text))

    index = {plain(e.key): e for e in entries}
    whole = plain(answer.raw)
    if whole in index:
        return index[whole]
    found = {index[t].key: index[t] for t in answer.tokens if t in index}
    return next(iter(found.values())) if len(found) == 1 else None


_VARIABLE = re.compile(r"\{(\w+)\}")


def fill(text: str, data: Mapping[str, str]) -> str:
    """ "Gracias, {name}" with what the bot collected (unknown variables become empty)."""
    return _VARIABLE.sub(lambda m: data.get(m.group(1), ""), text)


# --- the step -------------------------------------------------------------------------


class _Run:
    """One step's work: collects actions and ends with the new state."""

    def __init__(self, flow: CompiledFlow, state: BotState) -> None:
        self.flow = flow
        self.settings = flow.settings
        self.before = state
        self.actions: list[Action] = []
        self.data = dict(state.data)
        self.tags = list(state.tags)
        self.node_key: str | None = None
        self.waiting: str | None = None
        self.invalid = 0
        self.finished = False

    def result(self) -> StepResult:
        state = BotState(
            node_key=None if self.finished else self.node_key,
            waiting=None if self.finished else self.waiting,
            invalid_count=0 if self.finished else self.invalid,
            data=self.data,
            tags=tuple(self.tags),
            finished=self.finished,
        )
        return StepResult(tuple(self.actions), state)

    # Moving through the tree.

    def enter(self, key: str | None) -> None:
        """Run from `key` until the bot waits for the customer or is finished."""
        for _ in range(MAX_HOPS):
            node = self.flow.nodes.get(key) if key is not None else None
            if node is None:
                self.handover(None, "dead_end")
                return
            key = self.visit(node)
            if key is None:
                return
        self.handover(None, "loop")

    def visit(self, node: AnyNode) -> str | None:
        """Do what the node does; the next key to visit, or None when done for now."""
        if isinstance(node, MessageNode):
            self.say(node.text, node.media_url)
            return self.after(node)
        if isinstance(node, MenuNode):
            self.show_menu(node)
            self.wait(node)
            return None
        if isinstance(node, ActionNode):
            return self.act(node)
        if isinstance(node, RedirectNode):
            self.handover(node.area_id, "redirect", node.key, node.text)
            return None
        assert isinstance(node, EndNode)
        self.say(node.text)
        self.actions.append(Close(node.key))
        self.finished = True
        return None

    def after(self, node: MessageNode | ActionNode) -> str | None:
        """Where to go on after a node that does not wait; a dead end hands over."""
        following = self.flow.after(node)
        if following is None:
            self.handover(None, "dead_end", node.key)
        return following

    def act(self, node: ActionNode) -> str | None:
        if waits_for(node) is not None:  # ask, catalog lookup
            self.say(node.text)
            self.wait(node)
            return None
        if node.action == "tag" and node.tag:
            if node.tag not in self.tags:
                self.tags.append(node.tag)
            self.actions += [SetTag(node.tag), Trace("bot_tag", node.key, node.tag)]
        elif node.action == "webhook" and node.url:
            self.actions += [CallWebhook(node.url, node.key), Trace("bot_webhook", node.key)]
        elif node.action == "catalog":
            lines = [f"• {e.key}: {e.text}" for e in node.entries]
            self.say("\n".join([node.text, *lines]).strip())
        return self.after(node)

    def wait(self, node: AnyNode, invalid: int = 0) -> None:
        self.node_key, self.waiting, self.invalid = node.key, waits_for(node), invalid

    # Saying things.

    def say(self, text: str, media_url: str | None = None) -> None:
        filled = fill(text, self.data).strip()
        if filled or media_url:
            self.actions.append(SendText(filled, media_url))

    def show_menu(self, node: MenuNode) -> None:
        choices = tuple(
            MenuChoice(f"{node.key}:{o.number}", o.number, fill(o.label, self.data))
            for o in node.options
        )
        self.actions.append(SendMenu(node.key, fill(node.text, self.data).strip(), choices))

    # Endings.

    def handover(
        self, area_id: int | None, reason: str, node_key: str | None = None, text: str = ""
    ) -> None:
        self.say(text or self.settings.human_text)
        self.actions.append(Handover(area_id, reason, node_key))
        self.finished = True

    # Answers.

    def answer(self, node: AnyNode, answer: Answer) -> None:
        if isinstance(node, MenuNode):
            option = exact_option(node, answer) or loose_option(node, answer)
            if option is None:
                self.invalid_answer(node, node.invalid_text or self.settings.invalid_text)
            else:
                self.choose(node, option)
        elif isinstance(node, ActionNode) and node.action == "ask":
            self.answer_ask(node, answer)
        elif isinstance(node, ActionNode):
            self.answer_lookup(node, answer)

    def choose(self, node: MenuNode, option: MenuOption) -> None:
        self.actions.append(Trace("bot_choice", node.key, f"{option.number}. {option.label}"))
        if option.human:
            self.handover(None, "human", node.key)
        else:
            self.enter(option.target)

    def invalid_answer(self, node: MenuNode | ActionNode, text: str) -> None:
        count = self.before.invalid_count + 1
        self.actions.append(Trace("bot_invalid", node.key, f"{count}/{node.max_invalid}"))
        if count >= node.max_invalid:
            self.handover(None, "invalid", node.key)
            return
        self.say(text)
        if isinstance(node, MenuNode):
            self.show_menu(node)
        self.wait(node, count)

    def answer_ask(self, node: ActionNode, answer: Answer) -> None:
        field_name = node.field or "custom"
        check = node.check or (field_name if field_name != "custom" else "text")
        value = check_answer(check, answer)
        if value is None:
            self.invalid_answer(node, node.retry_text or RETRY_TEXTS[check])
            return
        key = (node.custom_key or "custom") if field_name == "custom" else field_name
        self.data[key] = value
        contact_field = CONTACT_FIELDS.get(field_name, f"attributes.{key}")
        self.actions += [
            StoreField(key, value, contact_field),
            Trace("bot_data", node.key, f"{key}: {value}"),
        ]
        self.enter(self.flow.after(node))  # a dead end (None) hands over there

    def answer_lookup(self, node: ActionNode, answer: Answer) -> None:
        entry = lookup(node.entries, answer)
        if entry is None:
            self.invalid_answer(node, node.retry_text or NOT_FOUND_TEXT)
            return
        if node.store_as:
            self.data[node.store_as] = entry.key
        self.actions.append(Trace("bot_lookup", node.key, entry.key))
        self.say(entry.text)
        self.enter(self.flow.after(node))


def step(
    flow: FlowDefinition | CompiledFlow, state: BotState | None, inbound: Inbound
) -> StepResult:
    """One customer message through the bot. `state` None (or finished): a new start."""
    compiled = flow if isinstance(flow, CompiledFlow) else compile_flow(flow)
    run = _Run(compiled, state or BotState())
    answer = Answer.read(inbound)
    current = _waiting_node(compiled, state)
    settings = compiled.settings
    picked = exact_option(current, answer) if isinstance(current, MenuNode) else None
    if picked is not None and isinstance(current, MenuNode):
        run.choose(current, picked)
    elif any(map(answer.has_phrase, settings.human_keywords)):
        run.handover(None, "human", run.before.node_key)
    elif answer.is_any(settings.menu_keywords):
        run.actions.append(Trace("bot_menu", compiled.main_menu))
        run.enter(compiled.main_menu or compiled.entry)
    elif current is None:
        run.actions.append(Trace("bot_started", compiled.entry))
        run.enter(compiled.entry)
    else:
        run.answer(current, answer)
    return run.result()


def _waiting_node(flow: CompiledFlow, state: BotState | None) -> AnyNode | None:
    """The node the bot waits at, if the state still fits the flow."""
    if state is None or state.finished or state.node_key is None:
        return None
    node = flow.nodes.get(state.node_key)
    return node if node is not None and waits_for(node) is not None else None


def jump(flow: FlowDefinition | CompiledFlow, state: BotState | None, key: str) -> StepResult:
    """A keyword rule sends the bot to node `key` (helpline.bot_rules): it runs from there,
    keeping what it collected, as if the customer had chosen that node in a menu."""
    compiled = flow if isinstance(flow, CompiledFlow) else compile_flow(flow)
    run = _Run(compiled, state or BotState())
    run.actions.append(Trace("bot_rule_jump", key))
    run.enter(key)
    return run.result()
