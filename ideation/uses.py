"""Stated uses: a sentence of a paper that says a method is used on a problem.

"We train sparse autoencoders for jailbreak detection", "we reduce sycophancy using DPO",
"activation steering mitigates over-refusal": the method and the problem are named a few words
apart, with a word of use next to the method. A co-mention alone ("M and P", "unlike M, P ...")
is not a use, nor is "P-based M" (M built on P), a contrast or a negation.

A phenomenon (reward hacking, jailbreak, hallucinations) is something a method is turned
against or brought about by: "a genetic algorithm for jailbreaks" writes jailbreaks, "GRPO on
reward hacking" may well cause it. So a use on a phenomenon counts only where the sentence says
the method fights it ("mitigates", "to detect", "against"; or "mitigate P using M").

The history reads every paper once for the uses among its own concepts (`uses_in_text`), so an
analogy starts from problems a method is known to be used on, not from whatever it is mentioned
with; the writer quotes the sentence (`usage_sentence`).

A failure's papers may say what brings it about ("fine-tuning on narrow data can lead to
emergent misalignment"): a method like that cause is no plain cure, and `cause_sentence` finds
the sentence that says so.

It also reads which phenomena a paper sets out to fight ("we mitigate hallucinations", "reward
hacking detection": `fights_in_text`), whatever method does it: a method named in such papers is
one people turn against failures, the only kind worth trying on a new failure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from ingest.extraction import find_acronym_definitions
from ingest.text import singular

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Words that, right after a method, say it is used on the problem named next ("M for P", "M
# (SAE) to detect P", "M-based P", "M mitigates P"); and, right before a method, that the
# problem named earlier is approached with it ("P using M", "P via M"). A co-mention alone ("M
# and P", "unlike M, P ...") is not a use, nor is "P-based M" (M built on P) or "M to exploit P".
_USE_AFTER_METHOD = re.compile(
    r"^(for|on|in|against|towards?|address\w*|mitigat\w*|detect\w*|improv\w*|reduc\w*|"
    r"prevent\w*|defen[cd]\w*|tackl\w*|solv\w*|handl\w*|enhanc\w*|counter\w*|combat\w*|"
    r"alleviat\w*|boost\w*|based|appl\w*|identif\w*|locat\w*|uncover\w*|explain\w*|"
    r"interpret\w*|steer\w*|suppress\w*|remov\w*|correct\w*|guard\w*)$"
)
_USE_BEFORE_METHOD = re.compile(
    r"^(using|uses?|via|with|by|through|leverag\w*|employ\w*|apply\w*|applied|adopt\w*)$"
)
# Words that say the method fights the problem, not only that it meets it: after the method
# ("M mitigates P", "M for detecting P", "M against P"), or around the problem ("M for P
# detection", "mitigate P using M").
_FIGHTS = re.compile(
    r"^(address\w*|mitigat\w*|detect\w*|reduc\w*|prevent\w*|defen[cd]\w*|tackl\w*|"
    r"counter\w*|combat\w*|alleviat\w*|suppress\w*|remov\w*|correct\w*|guard\w*|against|"
    r"resist\w*|curb\w*|eliminat\w*|avoid\w*|overcom\w*|fight\w*|lower\w*|decreas\w*|"
    r"identif\w*|monitor\w*|repair\w*|purif\w*|neutrali\w*|block\w*|filter\w*|robust\w*)$"
)
FIGHT_REACH = 2  # a word of fighting stands within this many words before or after the problem
# ... and for a paper fighting a phenomenon, this many before it ("reduce the risk of P")
FIGHT_REACH_BEFORE = 4
USE, FIGHT = 1, 2  # how much a sentence says: the method is used on the problem, or against it
# Words between the names that turn a mention into a contrast or a negation ("more robust than
# M, while vulnerable to P", "M does not reduce P").
_NOT_A_USE = frozenset(
    "than while but whereas unlike however although though not without despite instead rather "
    "versus v vs compared vulnerable susceptible fail fails failed".split()
)
# Words that turn the "on" or "in" after a method into what it rests on, not what it is used on
# ("M built on P", "M relies on P", "M grounded in P").
_RESTS_ON = frozenset(
    "built build builds building rely relies relying relied depend depends depending depended "
    "rest rests resting founded grounded hinge hinges".split()
)
USE_GAP = 6  # at most this many words between the two names
# A title is the paper's claim in a few words: "M with A and B for P" there says M is used on P.
TITLE_GAP = 10
CUE_REACH = 3  # the word of use stands within this many words of the method


def words_of(text: str) -> list[str]:
    return [singular(w) for w in _WORD.findall(text.lower())]


def _forms(
    name: str, definitions: list[tuple[str, str]], aliases: Iterable[str] = ()
) -> list[tuple[str, ...]]:
    """The name's words, those of the concept's `aliases` (the variants merged into it, "DPO",
    "jailbreaking attacks"), and those of each acronym the text defines for it ("sparse
    autoencoders (SAEs)"; `definitions` from `find_acronym_definitions`): abstracts mostly use
    the acronym after defining it, and well-known ones without."""
    words = tuple(words_of(name))
    forms = [words] if words else []
    for alias in aliases:
        alias_words = tuple(words_of(alias))
        if alias_words and alias_words not in forms:
            forms.append(alias_words)
    for acronym, long_form in definitions:
        acronym_words = tuple(words_of(acronym))
        if words and tuple(words_of(long_form)) == words and acronym_words not in forms:
            forms.append(acronym_words)
    return forms


def _occurrences(tokens: list[str], form: tuple[str, ...], starts: dict[str, list[int]]):
    for at in starts.get(form[0], ()):
        if tuple(tokens[at : at + len(form)]) == form:
            yield at


def _says_use(
    tokens: list[str], m_at: int, m_len: int, p_at: int, p_len: int, title: bool = False
) -> int:
    """0, USE or FIGHT: what the sentence says of the method named at `m_at` and the problem
    at `p_at`. A `title` says it from further apart ("M with A and B for P")."""
    if m_at < p_at:
        if m_at + m_len > p_at:
            return 0  # the names overlap
        between = tokens[m_at + m_len : p_at]
        near, cue = between if title else between[:CUE_REACH], _USE_AFTER_METHOD
        fighting = near + tokens[p_at + p_len : p_at + p_len + FIGHT_REACH]  # "M for P detection"
    else:
        if p_at + p_len > m_at:
            return 0
        between = tokens[p_at + p_len : m_at]
        near, cue = between[-CUE_REACH:], _USE_BEFORE_METHOD
        fighting = tokens[max(0, p_at - FIGHT_REACH) : p_at] + between[:FIGHT_REACH]
    if (
        len(between) > (TITLE_GAP if title else USE_GAP)
        or not any(cue.match(w) for w in near)
        or _NOT_A_USE.intersection(between)
        or (m_at < p_at and _RESTS_ON.intersection(near))
    ):
        return 0
    return FIGHT if any(_FIGHTS.match(w) for w in fighting) else USE


def _sentence_uses(
    tokens: list[str],
    forms: dict[int, list[tuple[str, ...]]],
    methods: set[int],
    fought: frozenset[int] = frozenset(),
    title: bool = False,
) -> set[tuple[int, int]]:
    """(method, problem) pairs this sentence (a paper's `title`?) states a use of, among
    concepts with `forms`; a problem in `fought` counts only where the method fights it."""
    starts = _word_starts(tokens)
    found: dict[int, list[tuple[int, int]]] = {}
    for concept, concept_forms in forms.items():
        spans = [(at, len(f)) for f in concept_forms for at in _occurrences(tokens, f, starts)]
        if spans:
            found[concept] = spans

    def another_between(method: int, problem: int, m_at: int, p_at: int) -> bool:
        low, high = sorted((m_at, p_at))
        return any(
            low < at < high
            for other, spans in found.items()
            if other not in (method, problem) and other not in methods
            for at, _ in spans
        )

    uses = set()
    for method in methods.intersection(found):
        for problem, problem_spans in found.items():
            if problem == method:
                continue
            # A problem named between the two takes the use ("M for A and reduce P using N");
            # a method between does not ("M of LLMs for P").
            needed = FIGHT if problem in fought else USE
            if any(
                _says_use(tokens, m_at, m_len, p_at, p_len, title) >= needed
                and not another_between(method, problem, m_at, p_at)
                for m_at, m_len in found[method]
                for p_at, p_len in problem_spans
            ):
                uses.add((method, problem))
    return uses


def uses_in_text(
    text: str,
    concepts: Iterable[tuple[int, str]],
    methods: set[int],
    fought: frozenset[int] = frozenset(),
    aliases: Mapping[int, Iterable[str]] | None = None,
    titled: bool = False,
) -> set[tuple[int, int]]:
    """The (method, problem) pairs of `concepts` (id, name) that `text` states a use of; only
    ids in `methods` take the method's place, and a problem in `fought` (a phenomenon) counts
    only where the text says the method fights it. `aliases` are other names of a concept; a
    `titled` text's first sentence is a title (`paper_text`)."""
    definitions = find_acronym_definitions(text)
    aliases = aliases or {}
    forms = {
        concept: _forms(name, definitions, aliases.get(concept, ())) for concept, name in concepts
    }
    forms = {concept: f for concept, f in forms.items() if f}
    if not methods.intersection(forms) or len(forms) < 2:
        return set()
    uses: set[tuple[int, int]] = set()
    for at, sentence in enumerate(_SENTENCE_END.split(text)):
        title = at == 0 and titled
        uses |= _sentence_uses(words_of(sentence), forms, methods, fought, title)
    return uses


# A title that attacks ("LatentBreak: Jailbreaking Large Language Models", "Backdoor Attack on
# Vision Language Models") with no word of fighting or safety: the paper brings failures about,
# and its abstract's "robustness against jailbreak attacks has become critically important" is
# the motivation of an attack, not a fight.
_ATTACKS = re.compile(r"^(attack\w*|jailbreaking|inject\w*|poison\w*|bypass\w*|hijack\w*|break)$")
_SAFE = re.compile(r"^(safe\w*|secur\w*|protect\w*|align\w*|harmless\w*|trust\w*)$")


def attacks_in_title(title: str) -> bool:
    words = words_of(title)
    return any(_ATTACKS.match(w) for w in words) and not any(
        _FIGHTS.match(w) or _SAFE.match(w) for w in words
    )


def fights_in_text(
    text: str, phenomena: Iterable[tuple[int, str]], *, titled: bool = False
) -> set[int]:
    """The ids of `phenomena` (id, name) that `text` says it fights: a word of fighting up to
    FIGHT_REACH_BEFORE words before the name or FIGHT_REACH after it ("to mitigate reward
    hacking", "hallucination detection"), in one sentence, with nothing of contrast or negation
    in between ("not reduce"). None where a `titled` text's title attacks (`attacks_in_title`)."""
    if titled and attacks_in_title(_SENTENCE_END.split(text, maxsplit=1)[0]):
        return set()
    definitions = find_acronym_definitions(text)
    forms = {concept: _forms(name, definitions) for concept, name in phenomena}
    forms = {concept: f for concept, f in forms.items() if f}
    fought: set[int] = set()
    for sentence in _SENTENCE_END.split(text) if forms else ():
        tokens = words_of(sentence)
        starts = _word_starts(tokens)
        fought |= {
            concept
            for concept, concept_forms in forms.items()
            if concept not in fought and _fought_here(tokens, concept_forms, starts)
        }
    return fought


def _word_starts(tokens: list[str]) -> dict[str, list[int]]:
    starts: dict[str, list[int]] = defaultdict(list)
    for i, token in enumerate(tokens):
        starts[token].append(i)
    return starts


def _fought_here(
    tokens: list[str], forms: list[tuple[str, ...]], starts: dict[str, list[int]]
) -> bool:
    """Whether a word of fighting stands next to one of these forms of a name in the sentence,
    with no contrast or negation before it."""
    for form in forms:
        for at in _occurrences(tokens, form, starts):
            before = tokens[max(0, at - FIGHT_REACH_BEFORE) : at]
            after = tokens[at + len(form) : at + len(form) + FIGHT_REACH]
            if not _NOT_A_USE.intersection(before) and any(
                _FIGHTS.match(w) for w in before + after
            ):
                return True
    return False


def text_names(text: str, name: str) -> bool:
    """Whether `text` spells out `name` (any case, plural or hyphenation) or an acronym the
    text defines for it."""
    tokens = words_of(text)
    starts = _word_starts(tokens)
    forms = _forms(name, find_acronym_definitions(text))
    return any(True for form in forms for _ in _occurrences(tokens, form, starts))


def usage_sentence(
    method: str,
    problem: str,
    text: str,
    *,
    fought: bool = False,
    aliases: tuple[Iterable[str], Iterable[str]] = ((), ()),
    titled: bool = False,
) -> str | None:
    """A sentence of `text` where `method` is used on `problem` (against it, if `fought`), as
    `uses_in_text` finds them: both named (by their `aliases` too, or an acronym the text
    defines for them) a few words apart, a word of use next to the method, nothing of contrast
    or negation between. None when the text only mentions them."""
    definitions = find_acronym_definitions(text)
    forms = {
        0: _forms(method, definitions, aliases[0]),
        1: _forms(problem, definitions, aliases[1]),
    }
    if not forms[0] or not forms[1]:
        return None
    fought_ids = frozenset({1} if fought else ())
    for at, sentence in enumerate(_SENTENCE_END.split(text)):
        if _sentence_uses(words_of(sentence), forms, {0}, fought_ids, at == 0 and titled):
            return sentence.strip()
    return None


# Words that say the thing named before them brings about the failure named after ("fine-tuning
# on narrow data can lead to emergent misalignment", "malicious fine-tuning can implant
# backdoors"); and, after the failure, that it comes of the thing named next ("a tendency
# reinforced by preference-based alignment", "over-refusal arises under safety alignment").
_BRINGS_ABOUT = re.compile(
    r"^(induc(e|es|ed|ing)|caus(e|es|ed|ing)|amplif(y|ies|ied|ying)|exacerbat(e|es|ed|ing)|"
    r"elicit(s|ed|ing)?|trigger(s|ed|ing)?|worsen(s|ed|ing)?|aggravat(e|es|ed|ing)|"
    r"encourag(e|es|ed|ing)|incentivi[sz](e|es|ed|ing)|reinforc(e|es|ed|ing)|implants?|injects?)$"
)
_LEADS = frozenset("lead leads led leading".split())  # ... with "to" next
_BROUGHT_ABOUT = re.compile(
    r"^(induced|caused|driven|amplified|exacerbated|elicited|triggered|reinforced|encouraged|"
    r"incentivi[sz]ed|injected|implanted|introduced|attributed)$"
)
# ... a passive one with what brought it about next ("induced by", "injected via"; not
# "GPT-driven relighting"), or one that says so with a preposition ("arising from", "due to").
_AGENT = frozenset("by via through from to during under".split())
_COMES_OF = re.compile(r"^(aris\w*|stem\w*|result\w*|originat\w*|emerg\w*|due)$")
_OF = frozenset("from under to".split())
# A sentence about "this tendency" or "such behaviour" speaks of the failure named just before.
_ANAPHORA = frozenset("this these such it they".split())
CAUSE_REACH = 6  # words of the cause's side of the sentence searched for the method's words
EFFECT_REACH = 4  # the failure stands within this many words of the word of causing
# Words of a method's name too common to tie it to a cause ("large language models lead to",
# "fine-grained differences lead to")
_UNTELLING = frozenset(
    "model method approach framework technique learning network system based large language llm "
    "neural deep training data multi cross self pre post non semi fine".split()
)


def _tells(word: str) -> bool:
    return len(word) > 2 and word not in _UNTELLING


def cause_sentence(method: str, failure: str, text: str) -> str | None:
    """A sentence of `text` that says something sharing a telling word with `method` (or its
    acronym) brings `failure` about: a word of causing between the two, the failure (or, for a
    sentence opening with "this" or "such", the failure of the sentence before) within
    EFFECT_REACH words of it, nothing of contrast or negation on the way. None if no sentence
    does: the method is then no suspected cause of the failure in these papers."""
    definitions = find_acronym_definitions(text)
    method_forms = _forms(method, definitions)
    failure_forms = _forms(failure, definitions)
    telling = {w for form in method_forms for w in form if _tells(w)}
    telling |= {form[0] for form in method_forms if len(form) == 1}  # an acronym always tells
    if not telling or not failure_forms:
        return None
    named_before = False
    for sentence in _SENTENCE_END.split(text):
        tokens = words_of(sentence)
        starts = _word_starts(tokens)
        spans = [(a, a + len(f)) for f in failure_forms for a in _occurrences(tokens, f, starts)]
        at, ends = [a for a, _ in spans], [e for _, e in spans]
        spoken_of = bool(at) or (named_before and bool(tokens) and tokens[0] in _ANAPHORA)
        named_before = bool(at)
        if spoken_of and _says_cause(tokens, at or [0], ends or [0], telling):
            return sentence.strip()
    return None


def _says_cause(tokens: list[str], at: list[int], ends: list[int], telling: set[str]) -> bool:
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        brings = _BRINGS_ABOUT.match(token) or (token in _LEADS and following == "to")
        if brings and following != "by" and any(0 <= a - i <= EFFECT_REACH for a in at):
            side = tokens[max(0, i - CAUSE_REACH) : i]
        elif (
            (_BROUGHT_ABOUT.match(token) and following in _AGENT)
            or (_COMES_OF.match(token) and following in _OF)
        ) and any(0 <= i - e <= EFFECT_REACH for e in ends):
            side = tokens[i + 1 : i + 1 + CAUSE_REACH]
        else:
            continue
        if telling.intersection(side) and not _NOT_A_USE.intersection(side):
            return True
    return False
