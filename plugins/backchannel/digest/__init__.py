"""The feedback digest: what readers said and asked, and what to write next.

`build.build_digest` reads the store and content/; `render_*` turn the result
into Markdown, HTML and JSON; `write.write_digest` puts them in
feedback/digests/; `draft` and `notify` close the loop. Each comment body is
read once by `analysis` (questions, words, language); `feedback` keeps what
the digest reads of each comment file with its analysis, `cached` what it reads
of each article, both by file stamp, as rows of the one SQLite cache
(backchannel.store.cache) in CACHE_PATH.
"""
