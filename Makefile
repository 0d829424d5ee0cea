# Backchannel — in pelican-quickstart's idiom. `make help` lists the targets.
PY?=python3
VENV?=.venv
PELICAN?=$(VENV)/bin/pelican
PELICANOPTS?=
BACKCHANNEL?=$(VENV)/bin/backchannel

BASEDIR=$(CURDIR)
INPUTDIR=$(BASEDIR)/content
OUTPUTDIR=$(BASEDIR)/output
CONFFILE=$(BASEDIR)/pelicanconf.py
PUBLISHCONF=$(BASEDIR)/publishconf.py

PORT?=8000
HOST?=127.0.0.1
RECEIVER_URL=http://$(HOST):$(PORT)/backchannel
SERVEOPTS=-e 'BACKCHANNEL_RECEIVER_URL="$(RECEIVER_URL)"'

DEBUG?=0
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

STAMP=$(VENV)/.installed-stamp

help:
	@echo 'Backchannel — Makefile for a Pelican site with comments and linkbacks'
	@echo ''
	@echo 'Usage:'
	@echo '   make serve       build the sample site and its digest, serve site + receiver on $(HOST):$(PORT)'
	@echo '   make test        run the test suite (installs into $(VENV) first)'
	@echo '   make html        (re)generate the web site into output/'
	@echo '   make clean       remove the generated files'
	@echo '   make regenerate  regenerate files upon modification'
	@echo '   make devserver   regenerate on change and serve site + receiver'
	@echo '   make publish     generate using production settings, then send linkbacks if enabled'
	@echo '   make digest      write the feedback digest into feedback/digests/'
	@echo '   make check       validate every file in feedback/'
	@echo '   make lint        ruff check, format check and the layering contract'
	@echo '   make bench       run every benchmark and rewrite bench/RESULTS.md'
	@echo '   make bench-quick every benchmark at its small size (a smoke run; do not commit its figures)'
	@echo '   make soak        the long load-and-crash test (>= 10,000 requests, >= 5 SIGKILLs)'
	@echo ''
	@echo 'Set DEBUG=1 for debug output, PORT=N for another port.'

$(STAMP): pyproject.toml constraints.txt
	test -x "$(VENV)/bin/python" || $(PY) -m venv "$(VENV)"
	"$(VENV)/bin/python" -m pip install -q --upgrade pip
	"$(VENV)/bin/python" -m pip install -q -c constraints.txt -e '.[test]'
	touch "$(STAMP)"

install: $(STAMP)

html: $(STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

regenerate: $(STAMP)
	"$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

serve: $(STAMP) digest
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(SERVEOPTS) $(PELICANOPTS)
	"$(BACKCHANNEL)" -s "$(CONFFILE)" serve --host "$(HOST)" --port "$(PORT)"

devserver: $(STAMP)
	"$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(SERVEOPTS) $(PELICANOPTS) & \
	pid=$$!; trap 'kill $$pid' EXIT INT TERM; \
	"$(BACKCHANNEL)" -s "$(CONFFILE)" serve --host "$(HOST)" --port "$(PORT)"

publish: $(STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" $(PELICANOPTS)
	"$(BACKCHANNEL)" -s "$(PUBLISHCONF)" send --if-enabled
	"$(BACKCHANNEL)" -s "$(PUBLISHCONF)" notify-answers

digest: $(STAMP)
	"$(BACKCHANNEL)" -s "$(CONFFILE)" digest

check: $(STAMP)
	"$(BACKCHANNEL)" -s "$(CONFFILE)" check

test: $(STAMP)
	"$(VENV)/bin/lint-imports" --no-cache
	"$(VENV)/bin/python" -m pytest -q

lint: $(STAMP)
	"$(VENV)/bin/ruff" check plugins tests bench
	"$(VENV)/bin/ruff" format --check plugins tests bench
	"$(VENV)/bin/lint-imports" --no-cache

soak: $(STAMP)
	"$(VENV)/bin/python" -m pytest -q -m soak -p no:cacheprovider

bench: $(STAMP)
	"$(VENV)/bin/python" bench/run_all.py

bench-quick: $(STAMP)
	"$(VENV)/bin/python" bench/run_all.py --quick

.PHONY: help install html clean regenerate serve devserver publish digest check test lint soak bench bench-quick
