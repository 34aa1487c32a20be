"""Concept extraction with no LLM and no network.

Text is cut into candidate phrases at punctuation and function words (as RAKE does). Inside each
phrase the longest runs found in the shipped ML vocabulary become concepts; phrases outside the
vocabulary are kept as concepts when they look like technical noun phrases. Acronyms defined in
the text ("sparse autoencoders (SAEs)") and acronyms the corpus agrees on resolve to their long
form. Every surface form of a concept shares one identity key (`ingest.text.squash`), so "SAEs",
"sparse autoencoder" and "sparse auto-encoders" are one concept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from ingest.termhood import (
    REDUNDANT_TAILS,
    background,
    phrase_core,
    phrase_is_generic,
    word_is_generic,
    word_is_verb,
)
from ingest.text import (
    DATA_DIR,
    WORD,
    display_name,
    is_cased_name,
    shown_case,
    singular,
    squash,
)

MAX_PHRASE_WORDS = 6
EVERYDAY_ABSTRACTS = 100  # a lone word in this many background abstracts is an everyday word

STOPWORDS = frozenset(
    """a about above across after again against all almost along also although always am among
    an and another any are around as at be because been before being below between both but by
    can cannot could did do does doing done down during each either else enough especially etc
    even ever every few for from further had has have having he her here hers herself him himself
    his how however i if in into is it its itself just least less like likely made mainly make
    makes making many may me might more most mostly much must my myself namely near nearly neither
    no nor not now of off often on once one only onto or other others otherwise our ours ourselves
    out over own per perhaps quite rather really same several shall she should show showed shown
    shows since so some such than that the their theirs them themselves then there thereby
    therefore these they this those though through throughout thus to together too toward towards
    under unlike until up upon us use used uses using usually various very via was we well were
    what whatever when where whereas whether which while who whom whose why will with within
    without would yet you your yours able across achieve achieved achieves achieving allow allows
    allowing apply applied applies applying aim aims based become becomes called can consider
    considered consists contain contains demonstrate demonstrated demonstrates describe described
    describes develop developed develops enable enables enabling evaluate evaluated evaluates find
    finds found focus focuses give gives given help helps improve improved improves improving
    include includes including introduce introduced introduces investigate investigated lead leads
    leverage leverages leveraging obtain obtained offer offers outperform outperforms perform
    performs present presented presents propose proposed proposes provide provided provides
    reach reaches reduce reduces remain remains report reported require requires result resulting
    reveal reveals see seen seek significantly substantially take takes taking therein
    discuss discusses discussed produce produces produced treat treats treated express expresses
    compare compares compared comparing create creates created correspond corresponds support
    supports build builds built capture captures incorporate incorporates incorporated
    explore explores explored exploit exploits exploited employ employs employed adopt adopts
    adopted design designed designs generate generates generated learn learns learned learnt
    train trains trained test tests tested solve solves solved address addresses addressed
    tackle tackles tackled compute computes computed estimate estimates estimated extend extends
    extended combine combines combined construct constructs constructed define defines defined
    assume assumes assumed argue argues argued observe observes observed suggest suggests
    suggested indicate indicates indicated confirm confirms confirmed
    toward underexplored yield yields paper papers work works study studies
    result results way ways
    new novel first second third existing current recent prior previous different various key
    main simple effective efficient strong significant better best large-scale
    respectively e.g i.e vs et al also furthermore moreover additionally specifically
    particular particularly especially here finally thereby whereby overall
    """.split()
)

# Leading words that make a phrase specific to one paper ("our proposed model") but name no concept.
GENERIC_LEADS = frozenset(
    """novel new proposed existing various different several many multiple standard typical
    conventional traditional popular common general specific certain additional further given
    various recent current state-of-the-art sota improved enhanced powerful robust efficient
    effective simple unified comprehensive extensive lightweight scalable large small high low
    good excellent poor whole entire two three four five six seven eight nine ten some
    overall final initial main major minor significant little much less more greater fewer
    limited""".split()
)

# Phrases that are words of scientific prose rather than concepts.
GENERIC_PHRASES = frozenset(
    """performance model models framework frameworks system systems data dataset datasets
    experiment experiments analysis evaluation training baseline baselines benchmark benchmarks
    application applications setting settings information knowledge process processes approach
    insight insights challenge challenges improvement improvements gain gains state art
    issue issues limitation limitations question questions solution solutions property properties
    component components module modules strategy strategies capability capabilities quality
    behavior behaviour effectiveness efficiency generalization scalability ability
    advantage advantages code source code art field domain domains area areas range variety
    number set sets level levels type types form forms case cases term terms end order point
    scenario scenarios step steps stage stages factor factors aspect aspects role impact effect
    effects context contexts use user users human humans people researcher researchers
    algorithm word sentence image corpus corpora representation error network measure score
    value success mechanism shape database lexicon exact video tag average interpretation
    attribute tree map control layer processing document understanding reasoning extraction
    search planning collection count rate record binary utterance backbone text translation
    grammar segmentation prediction estimation detection generation optimization inference
    matched space method technique problem task approach""".split()
)

KIND_BY_HEAD = {
    "metric": """accuracy precision recall f1 f1-score f-measure f-score bleu rouge meteor
        perplexity error rate score auc auroc latency throughput mse rmse mae iou map ndcg mrr fid
        psnr ssim cider wer cer measure metric robustness""".split(),
    "dataset": """dataset corpus corpora benchmark treebank suite collection database data
        text image video speech sentence document utterance dialogue query lexicon vocabulary
        """.split(),
    "task": """classification detection recognition translation generation segmentation retrieval
        answering parsing summarization summarisation prediction forecasting estimation tracking
        extraction captioning completion planning navigation synthesis tagging labeling labelling
        localization reconstruction inpainting editing understanding diagnosis identification
        matching alignment verification grounding reasoning control manipulation clustering
        ranking recommendation disambiguation resolution induction acquisition interpretation
        transcription conversion modeling modelling processing analysis task problem""".split(),
    "method": """network model algorithm method transformer autoencoder encoder decoder learning
        optimization optimisation attention regularization distillation fine-tuning finetuning
        embedding architecture mechanism layer descent sampling pruning quantization technique
        policy kernel tree forest regression classifier gan vae lstm rnn cnn bert gpt llm
        pretraining pre-training prompting augmentation tuning rlhf dpo ppo adapter lora decoding
        filter sampler optimizer solver estimator heuristic parser grammar tagger segmenter
        recognizer translator generator detector extractor retriever ranker system inference
        search boosting ensemble representation framework method technique approach attack
        defense defence steering probing probe unlearning editing watermarking watermark
        red-teaming teaming guardrail jailbreaking""".split(),
}
# Languages are what a corpus is in, not datasets (kind "other"), but they are concepts.
LANGUAGES = frozenset(
    """english chinese japanese french german spanish arabic czech dutch russian korean hindi
    italian portuguese""".split()
)
_KIND_OF_HEAD = {head: kind for kind, heads in KIND_BY_HEAD.items() for head in heads}

# One-word names of benchmarks and datasets: ...QA, ...Bench, ...Eval, GSM8K, MMLU, ImageNet
# (TinyImageNet and miniImageNet too, which the "-net" of architectures would make methods).
_CAMEL_CASE = re.compile(r"[a-z][A-Z]")
_BENCHMARK_NAME = re.compile(
    r"(?:[a-z]QA|QA$|Bench$|bench$|Eval$|\d+K$|^MMLU|ImageNet|^CIFAR|^COCO|^SQuAD)"
)
_CAPITALS_NAME = re.compile(r"[A-Z][A-Z0-9]{2,5}")  # SVM, TREC, RANSAC: specific on one mention
_MODEL_NAME = re.compile(
    r"(?:GPT|Llama|LLaMA|Claude|Gemini|Gemma|Qwen|Mistral|Mixtral|DeepSeek|Phi|Pythia|PaLM|"
    r"BERT|RoBERTa|T5|ViT|CLIP|OPT|OLMo|Falcon|Vicuna)-?\d"
)
_ACRONYM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]*?[A-Z][A-Za-z0-9\-]*?)(s?)\s*\)")
_ADVERB = re.compile(r"ly$")
_NUMBER = re.compile(r"^[\d.,+\-/]+$")


@dataclass(frozen=True)
class Concept:
    key: str
    name: str
    kind: str
    spans: tuple[tuple[int, int], ...]
    aliases: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.spans)


@dataclass
class Vocabulary:
    names: dict[str, str] = field(default_factory=dict)  # key -> canonical name
    kinds: dict[str, str] = field(default_factory=dict)  # key -> kind, where the source says
    acronyms: dict[str, str] = field(default_factory=dict)  # ACRONYM -> long-form key
    # Acronyms the corpus defines two ways (ASR: speech recognition, attack success rate): a
    # text that does not define one names no concept by it.
    ambiguous: set[str] = field(default_factory=set)
    protected: set[str] = field(default_factory=set)  # keys never judged generic (safety terms)

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> Vocabulary:
        vocab = cls()
        common = background()
        for line in _data_lines(directory / "vocabulary.tsv"):
            name, _, kind = line.partition("\t")
            key = squash(name)
            if key and key not in vocab.names:
                vocab.names[key] = name
                # Papers-with-Code lists name datasets and metrics with everyday words
                # ("animal", "road", "speech"); a common lone word gets its kind from its head.
                everyday = " " not in name and name.lower() in common and not name.isupper()
                if kind and not (everyday and common[name.lower()].abstracts >= EVERYDAY_ABSTRACTS):
                    vocab.kinds[key] = kind
        # The safety, alignment and interpretability vocabulary: its names are concepts and its
        # kinds win (a phenomenon such as "reward hacking" is not the task its head suggests).
        for line in _data_lines(directory / "safety_vocabulary.tsv"):
            name, _, kind = line.partition("\t")
            key = squash(name)
            if key:
                vocab.names.setdefault(key, display_name(name.split()))
                vocab.protected.add(key)
                if kind:
                    vocab.kinds[key] = kind
        for line in _data_lines(directory / "acronyms.tsv"):
            acronym, long_form, _ = line.split("\t")
            if not long_form:
                vocab.ambiguous.add(acronym)
                continue
            key = squash(long_form)
            vocab.acronyms[acronym] = key
            # The corpus's own most common spelling reads better than the concept list's
            # ("sparse autoencoder", not "sparse auto encoder").
            vocab.names[key] = long_form
        return vocab


def _data_lines(path: Path) -> Iterable[str]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle if line.strip() and not line.startswith("#")]


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary.load()


def concept_keys_for(text: str) -> list[str]:
    """The keys a concept typed by name may have: the text as a key, its squashed form, and for
    an acronym the vocabulary knows (DPO, RLHF), the long form's key, which is the node's key
    however the node is named."""
    text = text.strip()
    keys = [text, squash(text)]
    acronyms = default_vocabulary().acronyms
    for form in (text, text.removesuffix("s")):
        if form in acronyms:
            keys.append(acronyms[form])
    return list(dict.fromkeys(k for k in keys if k))


def concept_term(key: str, name: str) -> str:
    """The words to judge a concept by (generic? a family of models? an attack?): its name, or
    for a node named by an acronym ("SLM", "CNN"), the long form the vocabulary gives its key."""
    if " " in name or not is_cased_name(name):
        return name
    return default_vocabulary().names.get(key, name)


def _initials(words: list[str]) -> str:
    return "".join(part[0] for w in words for part in w.lower().split("-") if part)


def find_acronym_definitions(text: str) -> list[tuple[str, str]]:
    """Pairs (ACRONYM, long form) for definitions written as 'long form (ACRONYM)'."""
    pairs = []
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1)
        if sum(c.isupper() for c in acronym) < 2 or len(acronym) > 10:
            continue
        letters = re.sub(r"[^a-z]", "", acronym.lower())
        before = [
            m.group(0) for m in WORD.finditer(text[max(0, match.start() - 200) : match.start()])
        ]
        spans = [
            before[-n:]
            for n in range(1, min(len(letters) + 1, MAX_PHRASE_WORDS) + 1)
            if len(before) >= n and before[-n].lower() not in STOPWORDS
        ]
        # Initials that spell the acronym win over a shorter span whose letters merely contain
        # it ("Proximal Policy Optimization (PPO)", not "Policy Optimization"); failing that, as
        # in "transformer (TRF)", the letters appear in order in the words, starting with the
        # first word's initial.
        found = next((w for w in spans if _initials(w) == letters), None) or next(
            (
                w
                for w in spans
                if len(w) >= len(letters) - 1
                and _initials(w)[0] == letters[0]
                and _is_subsequence(letters, "".join(w).lower())
            ),
            None,
        )
        if found:
            pairs.append((acronym, " ".join(found)))
    return pairs


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def kind_of(key: str, words: list[str], vocab: Vocabulary) -> str:
    if len(words) == 1 and _BENCHMARK_NAME.search(words[0]):
        return "dataset"  # TruthfulQA, MMLU-Pro, HarmBench, GSM8K
    if len(words) == 1 and _MODEL_NAME.match(words[0]):
        return "other"  # GPT-4o, Llama-3: models under study, not methods to transfer
    if kind := vocab.kinds.get(key):
        if kind == "task" and len(words) == 1 and _CAMEL_CASE.search(words[0]):
            return "dataset"  # MuJoCo, listed among tasks, is a benchmark people run on
        if kind == "dataset" and len(words) == 1 and words[0].islower():
            # The lists name datasets "Shifts", "Reddit", "Letter"; written in lower case the
            # word is an ordinary one ("under distribution shifts", "sales records").
            return "other"
        return kind
    head = singular(words[-1].lower())
    if head == "set" and len(words) > 1 and words[-2].lower() == "data":
        return "dataset"
    if head in _KIND_OF_HEAD:
        kind = _KIND_OF_HEAD[head]
        # "speech", "text", "video" alone are media, not datasets; "speech corpus" is one.
        return "other" if kind == "dataset" and len(words) == 1 else kind
    if head.endswith(("net", "former", "gan", "bert")):
        return "method"
    return "other"


def _enough_evidence(name: str, kind: str, count: int) -> bool:
    """A concept of a known kind (task, method, dataset, metric) is kept on one mention; an
    untyped one must recur in the text or be a specific phrase of three or more words: on SciERC
    train it trades about a tenth of recall for a third more precision."""
    return (
        kind != "other"
        or count > 1
        or len(name.split()) >= 3
        or bool(_MODEL_NAME.match(name))
        or bool(_CAPITALS_NAME.fullmatch(name))
        or name.lower() in LANGUAGES
    )


def _trim_phrase(tokens: list[re.Match[str]]) -> list[re.Match[str]]:
    """Drop a leading gerund ("comparing performance") and a trailing participle ("models
    pruned"): without a tagger these are the commonest verbs left inside a phrase."""
    while len(tokens) > 1 and tokens[0].group(0).lower().endswith(("ing", "ed")):
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1].group(0).lower().endswith("ed"):
        tokens = tokens[:-1]
    return tokens


def _looks_like_concept(words: list[str]) -> bool:
    if not words or len(words) > 4:
        return False
    lowered = [w.lower() for w in words]
    if not all(any(c.isalpha() for c in w) for w in words):
        return False
    if " ".join(lowered) in GENERIC_PHRASES or (
        len(words) == 1 and singular(lowered[0]) in GENERIC_PHRASES
    ):
        return False
    if any(_NUMBER.match(w) for w in words) or _ADVERB.search(lowered[-1]):
        return False
    if len(words) == 1:
        # A single word outside the vocabulary counts as a concept when it is a mixed-case name
        # (ImageNet, GPT-4), an acronym (RANSAC), a head noun of a known kind (parser), or a
        # language (the data of multilingual work).
        word = words[0]
        if singular(lowered[0]) in _KIND_OF_HEAD or lowered[0] in LANGUAGES:
            return True
        return len(word) > 1 and word[1:] != word[1:].lower()
    return all(len(w) > 1 for w in words)


# "has attracted considerable attention", "growing research attention", "pay special attention":
# English, not the attention mechanism. In the 54k listing "considerable attention" (59 papers),
# "growing attention", "widespread attention" and "research attention" (35-38 each) had become
# methods. Such a phrase is blanked out before chunking (with a stop, so no words join across
# it); "attention heads", "more attention to tokens" and "multi-head attention" stay.
_DRAWING_ATTENTION = r"(?:receiv|attract|gain|garner|draw|drew|paid|pay|devot|deserv|captur)\w*"
_GRADING_ATTENTION = (
    r"(?:considerable|growing|widespread|increasing|increased|significant|special|much|little|"
    r"great|greater|particular|renewed|substantial|scant|limited|wide|wider|broad|tremendous|"
    r"enormous|research|public|close|careful|sufficient|insufficient|adequate|due|extensive|"
    r"notable|remarkable|academic|scholarly|industrial|surging|rising|intense)"
)
_ATTENTION_IDIOM = re.compile(
    rf"\b(?:{_DRAWING_ATTENTION}\s+)?(?:{_GRADING_ATTENTION}\s+)+attention\b"
    rf"|\b{_DRAWING_ATTENTION}\s+attention\b",
    re.IGNORECASE,
)


def _blank_idioms(text: str) -> str:
    return _ATTENTION_IDIOM.sub(lambda m: "." + " " * (len(m.group(0)) - 1), text)


class Extractor:
    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or default_vocabulary()

    def extract(self, text: str) -> list[Concept]:
        local_acronyms: dict[str, str] = {}
        local_names: dict[str, str] = {}
        for acronym, long_form in find_acronym_definitions(text):
            local_acronyms[acronym] = squash(long_form)
            local_names[squash(long_form)] = display_name(long_form.split())
        found: dict[str, dict] = {}

        def add(key: str, words: list[str], span: tuple[int, int], alias: str = "") -> None:
            entry = found.get(key)
            if entry is None:
                canonical = self.vocab.names.get(key) or local_names.get(key) or display_name(words)
                entry = found[key] = {
                    "name": canonical,
                    # "MMLU" names a benchmark, whatever the head of its long form says
                    # ("... language understanding" reads as a task).
                    "kind": "dataset"
                    if alias and _BENCHMARK_NAME.search(alias)
                    else kind_of(key, canonical.split() if alias else words, self.vocab),
                    "spans": [],
                    "aliases": set(),
                    "written": False,
                }
            if not alias and not entry["written"]:
                # Named as this text first writes it (TruthfulQA, sparse autoencoders), in its
                # case where the case means something.
                entry["name"], entry["written"] = written_form(words), True
            entry["spans"].append(span)
            if alias:
                entry["aliases"].add(alias)

        for chunk in _chunks(_blank_idioms(text)):
            self._match_chunk(chunk, local_acronyms, add)
        kept = [
            (key, e)
            for key, e in found.items()
            if _enough_evidence(e["name"], e["kind"], len(e["spans"]))
            and (key in self.vocab.protected or not phrase_is_generic(e["name"].split()))
        ]
        return [
            Concept(
                key,
                _shown_name(e, defined_here=key in local_names),
                e["kind"],
                tuple(e["spans"]),
                tuple(sorted(e["aliases"])),
            )
            for key, e in kept
        ]

    def _ambiguous(self, word: str, local_acronyms: dict[str, str]) -> bool:
        """An acronym the corpus defines two ways, which this text does not define."""
        singular = word.removesuffix("s")
        if word not in self.vocab.ambiguous and singular not in self.vocab.ambiguous:
            return False  # almost every word: no set built on the tokenising path
        return word not in local_acronyms and singular not in local_acronyms

    def _acronym_key(self, word: str, local_acronyms: dict[str, str]) -> str | None:
        if word.islower() or sum(c.isupper() for c in word) < 2:
            return None
        for form in (word, word[:-1] if word.endswith("s") else None):
            if form and (key := local_acronyms.get(form) or self.vocab.acronyms.get(form)):
                return key
        return None

    def _longest_vocab_match(self, words: list[str], start: int) -> int:
        for n in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
            piece = words[start : start + n]
            name = self.vocab.names.get(squash(" ".join(piece)))
            if name is None or (
                n > 1
                and (
                    word_is_verb(piece[0], leading=True)
                    or word_is_verb(piece[-1])
                    or singular(piece[-1].lower()) in REDUNDANT_TAILS
                    or piece[0].lower() in GENERIC_LEADS
                )
            ):
                continue  # a clause fragment in the vocabulary ("establish sufficient condition")
            if n > 1:
                return n
            word = piece[0]
            # One word: not a generic one, and written in the vocabulary's case where that is
            # all capitals: an emphasised common word (WORD, VALUE) is not a name, nor is the
            # word "rise" the method RISE.
            generic = singular(word.lower()) in GENERIC_PHRASES
            if not generic and word.isupper() == name.isupper():
                return 1
        return 0

    def _match_chunk(self, chunk: list[re.Match[str]], local_acronyms: dict[str, str], add) -> None:
        while chunk and chunk[0].group(0).lower() in GENERIC_LEADS:
            chunk = chunk[1:]
        words = [t.group(0) for t in chunk]
        i = matched = 0
        inside: set[int] = set()  # start offsets of the words inside a match
        while i < len(words):
            if self._ambiguous(words[i], local_acronyms):
                i += 1
                continue
            if key := self._acronym_key(words[i], local_acronyms):
                add(key, [words[i]], chunk[i].span(), alias=words[i].removesuffix("s"))
                n = 1
            elif n := self._longest_vocab_match(words, i):
                add(squash(" ".join(words[i : i + n])), words[i : i + n],
                    (chunk[i].start(), chunk[i + n - 1].end()))  # fmt: skip
            else:
                i += 1
                continue
            inside.update(t.start() for t in chunk[i : i + n])
            matched += 1
            i += n
        chunk = _core_tokens(_trim_phrase(chunk))
        words = [t.group(0) for t in chunk]
        whole = squash(" ".join(words))
        # A known concept with generic or verb words around it is that concept, not a new one
        # ("existing reward models", "mitigate reward hacking").
        extra = [t.group(0) for t in chunk if t.start() not in inside]
        if matched and extra and all(word_is_generic(w) or word_is_verb(w) for w in extra):
            return
        if (
            (len(words) >= 2 or not matched)
            and not (len(words) == 1 and self._ambiguous(words[0], local_acronyms))
            and whole not in self.vocab.names
            and _looks_like_concept(words)
        ):
            add(whole, words, (chunk[0].start(), chunk[-1].end()))


def _shown_name(entry: dict, *, defined_here: bool) -> str:
    """A text that writes only an acronym of the vocabulary (BLEU, DPO) names the concept so, as
    people do (an acronym the text defines is named by the long form it gives). The key stays the
    long form's, so it is the same node as "direct preference optimization", which the graph
    names by its commonest written form."""
    if not defined_here and not entry["written"] and len(entry["aliases"]) == 1:
        return next(iter(entry["aliases"]))
    return entry["name"]


def written_form(words: list[str]) -> str:
    """A phrase as written, lower case except acronyms, camel-case names, proper nouns and
    languages."""
    return " ".join(w.capitalize() if w.lower() in LANGUAGES else shown_case(w) for w in words)


def _core_tokens(tokens: list[re.Match[str]]) -> list[re.Match[str]]:
    """The tokens of `phrase_core`: verbs at either end and a redundant tail cut off."""
    if not tokens:
        return tokens
    words = [t.group(0) for t in tokens]
    core = phrase_core(words)
    start = next(i for i in range(len(words)) if words[i : i + len(core)] == core)
    return tokens[start : start + len(core)]


def _chunks(text: str) -> list[list[re.Match[str]]]:
    """Runs of words not broken by punctuation or a function word."""
    chunks: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    previous_end = 0
    for token in WORD.finditer(text):
        broken = bool(text[previous_end : token.start()].strip())
        previous_end = token.end()
        if current and (broken or token.group(0).lower() in STOPWORDS):
            chunks.append(current)
            current = []
        if token.group(0).lower() not in STOPWORDS:
            current.append(token)
    if current:
        chunks.append(current)
    return chunks


@cache
def default_extractor() -> Extractor:
    return Extractor()


class ConceptExtractor(Protocol):
    def extract(self, text: str) -> list[Concept]: ...


@cache
def configured_extractor() -> ConceptExtractor:
    """The extractor CONCEPT_EXTRACTOR names: the offline one unless an LLM is configured."""
    from django.conf import settings

    from core.llm import llm_configured
    from ingest.llm_extraction import llm_extractor

    if settings.CONCEPT_EXTRACTOR == "llm" and llm_configured():
        return llm_extractor()
    return default_extractor()


def extract_concepts(text: str) -> list[Concept]:
    return configured_extractor().extract(text)
