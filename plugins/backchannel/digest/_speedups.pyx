# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled twins of the digest's hottest text loops (phrases.scan, phrases._ngrams_of,
text.sentences, questions.questions_in): the same results, a fraction of the
interpreter's overhead.

A first digest of 100,000 comments spends most of its time in these per-token
and per-character loops. Each function here must return exactly what its pure
Python original returns; tests/test_digest_speedups.py checks them against each
other on random and real text. Where this module is not compiled (no C compiler
when the package was installed), the originals run instead.
"""

from cpython.unicode cimport Py_UNICODE_ISSPACE


cdef inline bint _ascii_punct(Py_UCS4 c):
    # phrases._ASCII_TOKEN's first alternative: [.,;:!?()\[\]"/\n]
    return (
        c == u'.' or c == u',' or c == u';' or c == u':' or c == u'!' or c == u'?'
        or c == u'(' or c == u')' or c == u'[' or c == u']' or c == u'"' or c == u'/'
        or c == u'\n'
    )


cdef inline bint _ascii_word_rest(Py_UCS4 c):
    # phrases._ASCII_TOKEN's word, after its first letter: [a-z0-9_'-]
    return (u'a' <= c <= u'z') or (u'0' <= c <= u'9') or c == u'_' or c == u"'" or c == u'-'


cdef class _Runs:
    """The state of one scan: runs of content words, and the word counts."""

    cdef list found, run_w, run_s
    cdef Py_ssize_t n_words, n_stop
    cdef dict cache
    cdef object token_info

    def __cinit__(self, dict cache, object token_info):
        self.found = []
        self.run_w = []
        self.run_s = []
        self.n_words = 0
        self.n_stop = 0
        self.cache = cache
        self.token_info = token_info

    cdef inline void add(self, str token) except *:
        cdef object got = self.cache.get(token)
        if got is None:
            got = self.token_info(token)
            self.cache[token] = got
        cdef tuple info = <tuple>got
        cdef object w = info[0]
        cdef object s = info[2]
        if w is not None:
            self.n_words += 1
            if info[1]:
                self.n_stop += 1
        if s is None:
            if self.run_w:
                self.found.append((self.run_w, self.run_s))
                self.run_w = []
                self.run_s = []
        else:
            self.run_w.append(w)
            self.run_s.append(s)

    cdef tuple result(self):
        if self.run_w:
            self.found.append((self.run_w, self.run_s))
        return self.found, self.n_words, self.n_stop


def scan(str text, dict cache, object token_info, object token_re):
    """phrases.scan: `cache` and `token_info` classify tokens, `token_re` finds non-ASCII ones."""
    cdef _Runs runs = _Runs(cache, token_info)
    cdef str low = text.lower()
    cdef Py_ssize_t i = 0, start, n
    cdef Py_UCS4 c
    cdef object token
    if not low.isascii():
        for token in token_re.findall(low.replace(u"’", u"'")):
            runs.add(token)
        return runs.result()
    # phrases._ASCII_TOKEN.findall, written out: punctuation runs and words.
    n = len(low)
    while i < n:
        c = low[i]
        if _ascii_punct(c):
            start = i
            i += 1
            while i < n and _ascii_punct(low[i]):
                i += 1
            runs.add(low[start:i])
        elif u'a' <= c <= u'z':
            start = i
            i += 1
            while i < n and _ascii_word_rest(low[i]):
                i += 1
            runs.add(low[start:i])
        else:
            i += 1
    return runs.result()


def ngrams_of(list scanned):
    """phrases._ngrams_of: stem n-grams (1..3) of scanned runs, each with its first surface form."""
    cdef dict found = {}
    cdef list run_w, run_s
    cdef Py_ssize_t size, i
    cdef object a, b
    cdef tuple key
    for run_w, run_s in scanned:
        size = len(run_s)
        for i in range(size):
            a = run_s[i]
            key = (a,)
            if key not in found:
                found[key] = run_w[i]
            if i + 1 < size:
                b = run_s[i + 1]
                key = (a, b)
                if key not in found:
                    found[key] = f"{run_w[i]} {run_w[i + 1]}"
                if i + 2 < size:
                    key = (a, b, run_s[i + 2])
                    if key not in found:
                        found[key] = f"{run_w[i]} {run_w[i + 1]} {run_w[i + 2]}"
    return found


cdef inline bint _sentence_end(Py_UCS4 c):
    # text._SENTENCE_END's first class: [.!?…？！。]
    return c == u'.' or c == u'!' or c == u'?' or c == u'…' or c == u'？' or c == u'！' or c == u'。'


cdef inline bint _closing(Py_UCS4 c):
    # text._SENTENCE_END's second class: ["”’»)\]]
    return c == u'"' or c == u'”' or c == u'’' or c == u'»' or c == u')' or c == u']'


cdef inline void _add_lines(list out, str part) except *:
    cdef str line
    if u"\n" not in part:
        part = part.strip()
        if part:
            out.append(part)
        return
    for line in part.split(u"\n"):
        line = line.strip()
        if line:
            out.append(line)


def sentences(str plain):
    """text.sentences: a sentence ends at end marks (and closing quotes) before white space."""
    cdef list out = []
    cdef Py_ssize_t n = len(plain), i = 0, begin = 0, mark, j
    cdef Py_UCS4 c
    while i < n:
        c = plain[i]
        if not _sentence_end(c):
            i += 1
            continue
        # The regex's match here, if any: the whole run of end marks, then of
        # closing marks, then at least one white space character. A shorter run
        # would leave an end or closing mark, not white space, next: no match.
        j = i + 1
        while j < n and _sentence_end(plain[j]):
            j += 1
        while j < n and _closing(plain[j]):
            j += 1
        mark = j
        while j < n and Py_UNICODE_ISSPACE(plain[j]):
            j += 1
        if j == mark:
            # No match at i, nor inside the run (the same run follows): go on after it.
            i = mark
            continue
        _add_lines(out, plain[begin:mark])
        begin = i = j
    _add_lines(out, plain[begin:])
    return out


def questions_in(str plain, object is_question, object asks_by_form, tuple hints):
    """questions.questions_in: `is_question` judges any sentence; an ASCII one with
    neither a question mark nor a quotation is judged here as is_question would
    (questions._asks_indirectly), `asks_by_form` trying the forms whose `hints` it holds.
    """
    cdef list out = []
    cdef str s, low, hint
    cdef bint asks
    for s in sentences(plain):
        if s.isascii() and u'"' not in s and u'?' not in s:
            # is_question's _asks_indirectly, which needs one of the forms' words
            # (is_question's "no letter at all" test is implied: each word has some).
            low = s.lower()
            asks = False
            for hint in hints:
                if hint in low:
                    asks = asks_by_form(s, low)
                    break
        else:
            asks = is_question(s)
        if asks:
            out.append(u" ".join(s.split()))
    return out
