"""The need-to-category suggestion and the similar-need finder: plain Python, no Django import.

``dajia needs suggest FILE`` runs this module without a database, with the default categories of
``dajia/menu/defaults.py``; the web pages run the very same code, fed with what the office has edited
(``Category.keywords``) and with what its corrections taught (see ``dajia/needs/learning.py``).

How a category is suggested (the rule shown to the office):

1. The need is normalised (full-width → half-width, lower case) and cut into words by jieba. Every keyword and
   every starter word is known to the word cutter, so "小候鸟" or "劳动合同" stay whole.
2. Each word found in a category's vocabulary adds its weight to that category: a keyword the office listed
   counts :data:`KEYWORD_WEIGHT`, a starter word :data:`STARTER_WEIGHT`, a weak hint (a word common in many
   needs, such as "活动" or "培训") :data:`WEAK_WEIGHT`. Longer words are more specific: a keyword or starter
   word of n > 2 characters counts ``1 + LENGTH_BONUS × min(n − 2, 3)`` times as much. A word that is not in any vocabulary but contains one
   (e.g. "消防安全" holds 消防 and 安全) counts each word it contains, at :data:`INSIDE_FACTOR` of its weight.
3. Words the office's corrections taught add ``LEARNED_WEIGHT × n(word, category) / (n(word) + 1)``, where
   ``n(word, category)`` is the number of corrected needs of that category holding the word and ``n(word)``
   the number of corrected needs holding it at all: a word seen only in needs the office put in one category
   pulls towards it, a word seen everywhere pulls nowhere.
4. The category with the highest total wins (ties: more distinct words matched, then the menu's order); with
   a total below :data:`MIN_SCORE` there is no suggestion.

Similar needs: TF-IDF on the same jieba words (search mode, stop words removed), cosine similarity, shown when
at least :data:`SIMILAR_THRESHOLD`.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from dajia.menu.defaults import DEFAULT_CATEGORIES
from dajia.needs import lexicon

KEYWORD_WEIGHT = 1.0
STARTER_WEIGHT = 1.0
WEAK_WEIGHT = 0.3
LENGTH_BONUS = 0.1
INSIDE_FACTOR = 0.8
LEARNED_WEIGHT = 1.5
MIN_SCORE = 0.3
SIMILAR_THRESHOLD = 0.25
SIMILAR_LIMIT = 5

STOPWORDS = lexicon.words_of(
    """
    的 了 是 我 我们 你 你们 他 她 它 他们 她们 在 和 与 及 或 也 都 就 还 又 很 太 非常 比较 特别 更 最 能 能否 可以
    可否 希望 想 想要 要 需要 请 请问 麻烦 一下 一些 一个 一点 有 没有 没 不 无 吧 吗 呢 啊 呀 哦 嘛 哈 这 那 这个
    那个 这些 那些 这样 那样 什么 怎么 怎样 如何 为什么 因为 所以 但是 但 而且 如果 就是 还是 现在 最近 目前 今年
    明年 每年 每次 经常 总是 一直 已经 多 少 给 让 把 被 对 从 到 上 下 里 中 去 来 做 搞 弄 办 组织 开展 举办 安排
    提供 大家 个 些 等 啥 得 着 过 会 可 该 应该 帮 帮忙 帮助 能不能 有没有 是否 自己 一起 及时 尽快 之 其 以 为 于
    而 并 或者 以及 关于 对于 我们的 咱们 咱 俺 们 您 谁 哪 哪里 哪些 多少 几 一 二 三 两 次 些许 一样 一般 其实 真的
    感觉 觉得 认为 知道 看看 希望能 希望可以 能够 可能 也许 好像 蛮 挺 好 真 再 才 又是 只 只是 只有 都是 还有 还要
    不能 不会 不是 没法 一次 一场 一期 个人 职工 员工 工人 工友 单位 公司 企业 工会 厂里 我们厂 同事 大伙 人
    """
)

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_SPACE = re.compile(r"\s+")

jieba.setLogLevel(logging.WARNING)


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become half-width), lower case, one space between words."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()


# ---- the word cutter ------------------------------------------------------------------------------------

_LOCK = threading.Lock()
_TOKENIZER: jieba.Tokenizer | None = None
_KNOWN: set[str] = set()


def _tokenizer() -> jieba.Tokenizer:
    global _TOKENIZER
    if _TOKENIZER is None:
        with _LOCK:
            if _TOKENIZER is None:
                tk = jieba.Tokenizer()
                tk.initialize()
                _TOKENIZER = tk
                _teach(tk, _starter_words())
    return _TOKENIZER


def _teach(tk: jieba.Tokenizer, words: Iterable[str]) -> None:
    for word in words:
        word = normalise(word)
        if len(word) >= 2 and word not in _KNOWN and " " not in word:
            tk.add_word(word)
            _KNOWN.add(word)


def know_words(words: Iterable[str]) -> None:
    """Make the word cutter keep these words whole (the office's keywords)."""
    tk = _tokenizer()
    new = [w for w in (normalise(w) for w in words) if len(w) >= 2 and w not in _KNOWN]
    if new:
        with _LOCK:
            _teach(tk, new)


@lru_cache(maxsize=1)
def _starter_words() -> tuple[str, ...]:
    words: list[str] = []
    for table in (lexicon.STRONG, lexicon.WEAK):
        for text in table.values():
            words.extend(text.split())
    for _code, _zh, _en, keywords in DEFAULT_CATEGORIES:
        words.extend(keywords.split())
    return tuple(dict.fromkeys(words))


def words(text: str) -> list[str]:
    """jieba's words of the normalised text (accurate mode), punctuation and spaces dropped."""
    return [w for w in _tokenizer().lcut(normalise(text)) if w.strip() and not _PUNCT.match(w)]


def tokenize(text: str) -> list[str]:
    """The words used for similarity and learning: jieba's search mode (long words also give their parts),
    stop words and punctuation removed."""
    out = []
    for w in _tokenizer().lcut_for_search(normalise(text)):
        if not w.strip() or _PUNCT.match(w) or w in STOPWORDS:
            continue
        out.append(w)
    return out


# ---- categories and their vocabulary --------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryWords:
    """A category as the suggester sees it: its code, its display name and the office's keyword list."""

    code: str
    name: str
    keywords: tuple[str, ...] = ()


def parse_keywords(text: str) -> tuple[str, ...]:
    """One word per line (spaces, commas and 、 also separate words); duplicates dropped, order kept."""
    parts = re.split(r"[\s,，、;；]+", normalise(text))
    return tuple(dict.fromkeys(p for p in parts if p))


def default_categories() -> list[CategoryWords]:
    """The twelve default categories of ``dajia/menu/defaults.py`` with their default keyword lists."""
    return [
        CategoryWords(code, zh, parse_keywords(keywords)) for code, zh, _en, keywords in DEFAULT_CATEGORIES
    ]


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    matched: tuple[str, ...] = ()


@dataclass
class Suggester:
    """Suggests a category for a need. Build it once per request (or once per file) and call :meth:`suggest`.

    ``learned`` holds ``(words, category code)`` pairs: the tokens of needs whose category the office set.
    ``starter`` adds :mod:`dajia.needs.lexicon` for categories with a default code.
    """

    categories: Sequence[CategoryWords]
    learned: Iterable[tuple[Sequence[str], str]] = ()
    starter: bool = True
    _weights: dict[str, dict[str, float]] = field(init=False, repr=False)
    _learned: dict[str, dict[str, float]] = field(init=False, repr=False)
    _order: dict[str, int] = field(init=False, repr=False)
    _names: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._order = {c.code: i for i, c in enumerate(self.categories)}
        self._names = {c.code: c.name for c in self.categories}
        weights: dict[str, dict[str, float]] = defaultdict(dict)

        def put(word: str, code: str, weight: float) -> None:
            word = normalise(word)
            if weight > WEAK_WEIGHT:
                weight *= 1 + LENGTH_BONUS * min(max(len(word) - 2, 0), 3)
            if word and weights[word].get(code, 0.0) < weight:
                weights[word][code] = weight

        for category in self.categories:
            if self.starter:
                for word in lexicon.WEAK.get(category.code, "").split():
                    put(word, category.code, WEAK_WEIGHT)
                for word in lexicon.STRONG.get(category.code, "").split():
                    put(word, category.code, STARTER_WEIGHT)
            for word in category.keywords:
                put(word, category.code, WEAK_WEIGHT if word in lexicon.GENERIC else KEYWORD_WEIGHT)
        self._weights = dict(weights)
        know_words(self._weights)

        per_word: Counter[str] = Counter()
        per_pair: Counter[tuple[str, str]] = Counter()
        for tokens, code in self.learned:
            if code not in self._order:
                continue
            distinct = {t for t in tokens if t not in STOPWORDS}
            for token in distinct:
                per_word[token] += 1
                per_pair[token, code] += 1
        learned: dict[str, dict[str, float]] = defaultdict(dict)
        for (token, code), n in per_pair.items():
            learned[token][code] = LEARNED_WEIGHT * n / (per_word[token] + 1)
        self._learned = dict(learned)

    @property
    def vocabulary(self) -> dict[str, dict[str, float]]:
        """word → {category code: weight}: the keywords and starter words in effect."""
        return self._weights

    def learned_words(self, code: str, limit: int = 12) -> list[tuple[str, float]]:
        """The words corrections taught for a category, strongest first (shown to the office)."""
        pairs = [(w, by[code]) for w, by in self._learned.items() if code in by]
        return sorted(pairs, key=lambda p: (-p[1], p[0]))[:limit]

    def _inside(self, word: str) -> list[str]:
        """Vocabulary words inside a longer word that is not itself in the vocabulary."""
        found = []
        n = len(word)
        for size in range(n - 1, 0, -1):
            for start in range(0, n - size + 1):
                part = word[start : start + size]
                if part in self._weights and (size >= 2 or part in lexicon.SINGLE_INSIDE):
                    found.append(part)
        return found

    def rank(self, text: str) -> list[Suggestion]:
        """Every category with a positive total, best first."""
        totals: dict[str, float] = defaultdict(float)
        matched: dict[str, list[str]] = defaultdict(list)
        for word in words(text):
            if word in self._weights:
                for code, weight in self._weights[word].items():
                    totals[code] += weight
                    matched[code].append(word)
            elif len(word) >= 2:
                for part in self._inside(word):
                    for code, weight in self._weights[part].items():
                        totals[code] += weight * INSIDE_FACTOR
                        matched[code].append(part)
        for token in set(tokenize(text)):
            for code, weight in self._learned.get(token, {}).items():
                totals[code] += weight
                if token not in matched[code]:
                    matched[code].append(token)
        out = [
            Suggestion(code, self._names[code], round(total, 3), tuple(dict.fromkeys(matched[code])))
            for code, total in totals.items()
            if total > 0 and code in self._names
        ]
        out.sort(key=lambda s: (-s.score, -len(s.matched), self._order[s.code]))
        return out

    def suggest(self, text: str) -> Suggestion | None:
        """The best category, or None when nothing in the text points at one."""
        ranked = self.rank(text)
        if ranked and ranked[0].score >= MIN_SCORE:
            return ranked[0]
        return None


@lru_cache(maxsize=1)
def default_suggester() -> Suggester:
    """The suggester of ``dajia needs suggest``: default categories and keyword lists, nothing learned."""
    return Suggester(default_categories())


# ---- similar needs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float


def similar(
    query: Sequence[str],
    documents: Sequence[tuple[Hashable, Sequence[str]]],
    *,
    limit: int = SIMILAR_LIMIT,
    threshold: float = SIMILAR_THRESHOLD,
) -> list[Match]:
    """The documents most like the query: TF-IDF weights (sublinear term frequency, smoothed inverse document
    frequency over the documents and the query), cosine similarity, best first, at least ``threshold``."""
    if not query or not documents:
        return []
    n = len(documents) + 1
    df: Counter[str] = Counter(set(query))
    for _key, tokens in documents:
        df.update(set(tokens))
    idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}

    def vector(tokens: Sequence[str]) -> dict[str, float]:
        counts = Counter(tokens)
        vec = {t: (1.0 + math.log(c)) * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    q = vector(query)
    matches = []
    for key, tokens in documents:
        if not tokens:
            continue
        d = vector(tokens)
        score = sum(v * d[t] for t, v in q.items() if t in d)
        if score >= threshold:
            matches.append(Match(key, round(score, 4)))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]
