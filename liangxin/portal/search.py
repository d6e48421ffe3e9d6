"""政策文件的全文检索: one seam, two engines, chosen by ``connection.vendor``.

Chinese has no spaces, so neither database's own tokeniser can find "覆盖" in "两个覆盖工作". Both
the indexed text and the query are segmented here, in Python, with jieba in search mode
(``cut_for_search``, which also emits the dictionary words inside a long word), and the database
indexes the terms joined by spaces:

- SQLite: the FTS5 table ``portal_policy_fts`` (columns ``head`` — title, 文号, 发文机关 — and
  ``body``), its rowid the document's id, ranked by bm25 with the head weighted ×4;
- PostgreSQL: the table ``portal_policy_tsv`` (document id, ``terms``: a ``tsvector`` built with
  ``to_tsvector('simple', terms)``, the head weighted A, with a GIN index; ``rank_terms``: the
  ranking vector, the head's terms weighted A and the body's jieba words, each word's first
  ``RANK_POSITIONS`` (4) occurrences only, kept in the table's own pages), ranked by ts_rank over
  ``rank_terms``. The match is read through the SQL function ``portal_policy_hits``, which always
  answers it from the GIN index whatever the planner thinks of the rest of the statement.

Both tables are made by migration portal/0002 on the database in use only (``install``; 0006 cut
PostgreSQL's ranking vectors and added the function). They are not Django models (neither engine's
column is a Django field): the services keep them current by calling ``index_document`` /
``remove_document`` in the transaction of each change, and ``manage.py rebuild_index`` rebuilds
them (after a restore, or a bulk load that bypassed the services). Neither has a foreign key: a row
whose document is gone is never returned, because a search only returns rows whose id is in the
caller's queryset of visible documents.

The order, best first (the two engines' scores differ, their principle does not): a query word in
the head counts several times one in the body, more occurrences count more but less and less, and
among equal scores the most recently added comes first (higher id). On SQLite bm25 (head ×4, with
its length normalisation). On PostgreSQL ts_rank with its default weights and no length
normalisation: a word scores 1.0 for its first occurrence in the head and 0.1 for a first in the
body, its n-th occurrence 1/n² of its weight, and a word's fifth and later occurrences nothing
(they used to add at most 13 % of a body word's score, mostly measuring the document's length,
which ts_rank does not divide by); the query's terms are averaged. So with up to seven terms, any
document holding one in its head comes before every document holding them only in the body (7 ×
0.087 < 0.61). A query word found only through character pairs ("导员") adds nothing to the rank:
such matches come most recently added first.

The terms of a text are jieba's words, plus every pair of adjacent Chinese characters and every
single Chinese character: the fallbacks that make any part of a word findable whatever jieba made
of its context ("导员" inside "指导员", whose search-mode cut emits only "指导"). A query is cut
the same way; a Chinese word of three characters or more is asked as all its pairs (found wherever
it stands in a text, however that text was cut), a shorter one as itself; every term must occur.

Highlighting is done in Python for both engines, so the two give identical HTML: the query's
words are wrapped in ``<mark>`` and everything else is escaped.
"""

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jieba
from django.db import connection
from django.db.models import QuerySet
from django.utils.html import escape

from .models import PolicyDocument

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not the platform's log

FTS_TABLE = "portal_policy_fts"
TSV_TABLE = "portal_policy_tsv"
HITS_FUNCTION = "portal_policy_hits"
HEAD_WEIGHT = 4.0  # a word in the title counts as much as four in the body (bm25's column weight)
MAX_QUERY_CHARS = 100
RANK_POSITIONS = 4  # PostgreSQL's ranking vector keeps a word's first four occurrences (head first)
MAX_TERMS = 32  # a pasted paragraph is not a search: its first terms are enough to rank by
SNIPPET_CHARS = 120

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECE = re.compile(rf"[{_CJK}]+|[0-9a-z]+")
_RUN = re.compile(rf"[{_CJK}]+")
_SPACE = re.compile(r"\s+")
# full-width ASCII (Ａ１＃) and the ideographic space, folded to what people mean by them
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# -- terms -------------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Full-width to half-width and lower case, keeping every character's position (the
    highlighter finds words in the folded text and marks the same positions in the original)."""
    text = text.translate(_FULL_WIDTH)
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # a character whose lower case is longer (İ): left as it is, so positions stay put
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _words(folded: str) -> list[str]:
    """jieba's search-mode words, each cut into runs of Chinese characters or of letters and
    digits (punctuation and spaces are not terms). Without jieba's HMM guessing of unknown words:
    twice as fast, and a word the dictionary lacks is found through the character pairs anyway."""
    out: list[str] = []
    for word in jieba.cut_for_search(folded, HMM=False):
        out.extend(_PIECE.findall(word))
    return out


def terms(text: str) -> list[str]:
    """The terms indexed for ``text``: jieba's words, then each Chinese run's single characters
    and pairs (the fallbacks)."""
    folded = fold(text)
    out = _words(folded)
    for run in _RUN.findall(folded):
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


@dataclass(frozen=True)
class Query:
    """A parsed search: ``words`` as cut from what was typed (highlighted), ``terms`` what the
    index must hold (all of them)."""

    text: str
    words: tuple[str, ...]
    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def _query_words(folded: str) -> list[str]:
    """The query's words: jieba's (with its HMM, cheap on a short query, so a word missing from the
    dictionary such as "导员" stays one word), and single characters it left side by side joined
    again ("党的建设" → 党的, 建设: the two characters must stand together, as typed)."""
    out: list[str] = []
    singles: list[str] = []
    for word in [*jieba.cut_for_search(folded), " "]:
        if len(word) == 1 and _RUN.fullmatch(word):
            singles.append(word)
            continue
        if singles:
            out.append("".join(singles))
            singles = []
        out.extend(_PIECE.findall(word))
    return list(dict.fromkeys(out))


def parse(text: str) -> Query:
    folded = fold((text or "").strip())[:MAX_QUERY_CHARS]
    words = _query_words(folded)
    found: list[str] = []
    for word in words:
        if _RUN.fullmatch(word) and len(word) >= 3:
            found.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            found.append(word)
    return Query(text=folded, words=tuple(words), terms=tuple(dict.fromkeys(found))[:MAX_TERMS])


# -- highlighting ------------------------------------------------------------------------------------
def _spans(folded: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where the words occur, longest first at each place, adjacent matches merged."""
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        if spans and spans[-1][1] == match.start():
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append((match.start(), match.end()))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    at = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        out.append(escape(_SPACE.sub(" ", text[at:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        at = b
    out.append(escape(_SPACE.sub(" ", text[at:end])))
    return "".join(out)


def highlight(text: str, query: Query, width: int | None = None) -> str:
    """``text`` as HTML with the query's words in ``<mark>``, everything else escaped. With
    ``width``, a snippet of about that many characters around the first match (or the start)."""
    words = query.words + query.terms  # a long word's pairs too: they are what the index matched
    spans = _spans(fold(text), words)
    if width is None:
        return _marked(text, spans, 0, len(text))
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = min(len(text), start + width)
    return ("…" if start > 0 else "") + _marked(text, spans, start, end) + ("…" if end < len(text) else "")


# -- the two engines ---------------------------------------------------------------------------------
def _head(doc: PolicyDocument) -> str:
    return " ".join(p for p in (doc.title, doc.number, doc.issuer) if p)


def _row(doc: PolicyDocument) -> tuple[int, str, str, str]:
    """(id, head terms, body terms, body words): the words alone are PostgreSQL's ranking vector."""
    return doc.pk, " ".join(terms(_head(doc))), " ".join(terms(doc.body)), " ".join(_words(fold(doc.body)))


def _capped(head: Sequence[str], words: Sequence[str]) -> tuple[str, str]:
    """The head's terms and the body's words with each at most ``RANK_POSITIONS`` times in all,
    the head's occurrences first: PostgreSQL's ranking vector, which ts_rank reads for every match.
    ts_rank weighs a word's n-th occurrence by 1/n², so the fifth and later ones added at most 13 %
    of a body word's score (and made the vector 20 % larger)."""
    seen: dict[str, int] = {}
    kept: tuple[list[str], list[str]] = ([], [])
    for out, part in zip(kept, (head, words), strict=True):
        for term in part:
            if seen.get(term, 0) < RANK_POSITIONS:
                seen[term] = seen.get(term, 0) + 1
                out.append(term)
    return " ".join(kept[0]), " ".join(kept[1])


def _fts_query(query: Query) -> str:
    # terms hold only Chinese characters, letters and digits: quoting each is enough
    return " AND ".join(f'"{t}"' for t in query.terms)


def _ts_query(query: Query, operator: str = "&") -> str:
    return f" {operator} ".join(f"'{t}'" for t in query.terms)


class _Engine:
    create: list[str]
    drop: list[str]
    delete_sql: str
    insert_sql: str
    truncate_sql: str
    order: str  # best first
    materialized: str

    def hits(self, query: Query, ranked: bool) -> tuple[str, list[Any]]:
        """The documents matching ``query`` (id, score): the index alone, before any scope."""
        raise NotImplementedError

    def row(self, row: tuple[int, str, str, str]) -> tuple:
        return row[:3]


class _Sqlite(_Engine):
    # unicode61 splits the space-joined terms back into exactly the terms (each is letters/digits)
    create = [f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(head, body, tokenize='unicode61')"]
    drop = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    delete_sql = f"DELETE FROM {FTS_TABLE} WHERE rowid = %s"
    insert_sql = f"INSERT INTO {FTS_TABLE} (rowid, head, body) VALUES (%s, %s, %s)"
    truncate_sql = f"DELETE FROM {FTS_TABLE}"

    # MATERIALIZED: the index answers the MATCH once, then the scope filters the ids it found (left
    # to itself, SQLite drives from the scope's ids and evaluates the MATCH row by row: 20× slower)
    materialized = "MATERIALIZED"

    def hits(self, query, ranked):
        score = f"bm25({FTS_TABLE}, {HEAD_WEIGHT}, 1.0)" if ranked else "0"
        sql = f"SELECT rowid AS id, {score} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return sql, [_fts_query(query)]

    order = "score ASC, id DESC"  # bm25: lower is better


class _Postgres(_Engine):
    # ``terms`` (every term, GIN-indexed, ~13 kB and TOASTed) answers the match; ``rank_terms`` (the
    # head's terms and the body's words, each at most RANK_POSITIONS times: ~3.7 kB) is what
    # ts_rank reads, kept in the table's own rows (STORAGE MAIN) so that ranking a match costs no
    # TOAST look-up. Only ``hits`` reads the table: it runs with sequential and plain index scans
    # off, so the match always comes from the GIN index (the planner prices testing @@ row by row
    # as cheap, not knowing each test fetches 13 kB from TOAST: 300 ms for a word in every
    # document), while the rest of the statement (the caller's scope) is planned as usual.
    create = [
        f"CREATE TABLE IF NOT EXISTS {TSV_TABLE} (document_id bigint PRIMARY KEY, terms tsvector NOT NULL, "
        "rank_terms tsvector NOT NULL)",
        f"ALTER TABLE {TSV_TABLE} ALTER COLUMN rank_terms SET STORAGE MAIN",
        f"CREATE INDEX IF NOT EXISTS {TSV_TABLE}_terms ON {TSV_TABLE} USING gin (terms)",
        f"CREATE OR REPLACE FUNCTION {HITS_FUNCTION}(q tsquery, r tsquery) "
        "RETURNS TABLE (id bigint, score real) LANGUAGE sql STABLE "
        "SET enable_seqscan = off SET enable_indexscan = off "
        f"AS $$ SELECT document_id, ts_rank(rank_terms, r) FROM {TSV_TABLE} WHERE terms @@ q $$",
    ]
    drop = [f"DROP FUNCTION IF EXISTS {HITS_FUNCTION}(tsquery, tsquery)", f"DROP TABLE IF EXISTS {TSV_TABLE}"]
    delete_sql = f"DELETE FROM {TSV_TABLE} WHERE document_id = %s"
    insert_sql = (
        f"INSERT INTO {TSV_TABLE} (document_id, terms, rank_terms) "
        "VALUES (%s, setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s), "
        "setweight(to_tsvector('simple', %s), 'A') || to_tsvector('simple', %s))"
    )
    truncate_sql = f"TRUNCATE {TSV_TABLE}"

    materialized = ""  # the function is the fence

    def row(self, row):
        pk, head, body, words = row
        return pk, head, body, *_capped(head.split(), words.split())

    def hits(self, query, ranked):
        # ts_rank (strict) is not called at all for a count (r is NULL). The rank asks for any
        # term: a word found only through the pairs still ranks by the others.
        sql = f"SELECT id, score FROM {HITS_FUNCTION}(to_tsquery('simple', %s), to_tsquery('simple', %s))"
        return sql, [_ts_query(query), _ts_query(query, "|") if ranked else None]

    order = "score DESC, id DESC"


def _engine(vendor: str | None = None) -> _Engine:
    vendor = vendor or connection.vendor
    if vendor == "sqlite":
        return _Sqlite()
    if vendor == "postgresql":
        return _Postgres()
    raise NotImplementedError(f"全文检索不支持数据库 {vendor}")


def install(schema_editor) -> None:
    """Create the index table of the database in use (migration portal/0002)."""
    for sql in _engine(schema_editor.connection.vendor).create:
        schema_editor.execute(sql)


def cap_rank_vectors(schema_editor) -> None:
    """Cut PostgreSQL's stored ranking vectors to ``RANK_POSITIONS`` occurrences of each word,
    rewriting every row into the table's own pages (migration portal/0006: in SQL, no jieba).
    A lexeme's first positions are the head's, as ``_capped`` keeps them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"UPDATE {TSV_TABLE} AS t SET rank_terms = COALESCE(("
        "SELECT string_agg(quote_literal(u.lexeme) || ':' || array_to_string(ARRAY("
        f"SELECT p::text || w FROM unnest(u.positions[1:{RANK_POSITIONS}], u.weights[1:{RANK_POSITIONS}]) AS x (p, w)"
        "), ','), ' ') FROM unnest(t.rank_terms) AS u)::tsvector, ''::tsvector)"
    )


def uninstall(schema_editor) -> None:
    for sql in _engine(schema_editor.connection.vendor).drop:
        schema_editor.execute(sql)


# -- writing -----------------------------------------------------------------------------------------
def index_document(doc: PolicyDocument) -> None:
    """(Re)index one document; the caller's transaction makes it visible with the change."""
    engine = _engine()
    with connection.cursor() as cursor:
        cursor.execute(engine.delete_sql, [doc.pk])
        cursor.execute(engine.insert_sql, list(engine.row(_row(doc))))


def remove_document(doc_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_engine().delete_sql, [doc_id])


def index_many(docs: Iterable[PolicyDocument], batch: int = 500) -> int:
    """Index documents not indexed yet (a bulk load; ``rebuild_index``), ``batch`` at a time."""
    engine, count, rows = _engine(), 0, []
    with connection.cursor() as cursor:
        for doc in docs:
            rows.append(engine.row(_row(doc)))
            if len(rows) >= batch:
                cursor.executemany(engine.insert_sql, rows)
                count, rows = count + len(rows), []
        if rows:
            cursor.executemany(engine.insert_sql, rows)
            count += len(rows)
    return count


def rebuild_index() -> int:
    """Empty the index and index every document again; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute(_engine().truncate_sql)
    return index_many(PolicyDocument.objects.order_by("pk").iterator(chunk_size=500))


# -- searching ---------------------------------------------------------------------------------------
@dataclass
class Hit:
    document: PolicyDocument
    score: float
    title_html: str
    snippet_html: str


class Results:
    """The documents of ``queryset`` matching ``query``, best first: a sequence Django's Paginator
    pages (``count()``, slices), each slice one ranked query of the index."""

    def __init__(self, query: Query, queryset: QuerySet) -> None:
        self.query = query
        self.queryset = queryset.order_by()
        self._count: int | None = None

    def _sql(self, ranked: bool) -> tuple[str, list[Any]]:
        """The matching documents of the queryset: the index's hits, then the scope's ids."""
        engine = _engine()
        scope_sql, scope_params = self.queryset.values("pk").query.sql_with_params()
        hits_sql, params = engine.hits(self.query, ranked)
        sql = f"WITH hits AS {engine.materialized} ({hits_sql}) SELECT id, score FROM hits WHERE id IN ({scope_sql})"
        return sql, [*params, *scope_params]

    def count(self) -> int:
        if self._count is None:
            if not self.query:
                self._count = 0
            else:
                sql, params = self._sql(ranked=False)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS found", params)
                    self._count = cursor.fetchone()[0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Hit]:
        if not isinstance(item, slice):
            raise TypeError("Results are read by slices")
        offset = item.start or 0
        limit = (item.stop if item.stop is not None else self.count()) - offset
        return self.page(limit, offset)

    def page(self, limit: int, offset: int = 0) -> list[Hit]:
        if not self.query or limit <= 0:
            return []
        engine = _engine()
        sql, params = self._sql(ranked=True)
        # the total comes with the page (one pass over the matches, not two): search() asks for both
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, score, COUNT(*) OVER () FROM ({sql}) AS found ORDER BY {engine.order} LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            rows = cursor.fetchall()
        if rows:
            self._count = rows[0][2]
        ranked = [(pk, score) for pk, score, _ in rows]
        found = self.queryset.select_related("node").in_bulk([pk for pk, _ in ranked])
        return [
            Hit(
                document=found[pk],
                score=float(score),
                title_html=highlight(found[pk].title, self.query),
                snippet_html=highlight(found[pk].body, self.query, SNIPPET_CHARS),
            )
            for pk, score in ranked
            if pk in found
        ]


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int


def search(text: str, queryset: QuerySet, limit: int = 20, offset: int = 0) -> SearchPage:
    """The documents of ``queryset`` (already narrowed to what the user may read, and by any
    filter) matching ``text``, best first, with highlighted title and snippet."""
    results = Results(parse(text), queryset)
    return SearchPage(hits=results.page(limit, offset), total=results.count())
