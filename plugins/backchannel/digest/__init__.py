"""The feedback digest: what readers said and asked, and what to write next.

`build.build_digest` reads the store and content/; `render_*` turn the result
into Markdown, HTML and JSON; `write.write_digest` puts them in
feedback/digests/; `draft` and `notify` close the loop. Each comment body is
read once by `analysis` (questions, phrases) and cached per comment by
`analysis_cache`; articles are cached per file by `article_cache` (both in
Pelican's CACHE_PATH, see README "Digest speed").
"""
