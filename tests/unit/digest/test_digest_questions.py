"""Reader questions on real-looking comments: markup to text, sentences, question forms, answered.

Every example is invented (in the style of technical-blog comments) for one
error class found on the real-comment development set (bench/bench_digest_quality.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import cmarkgfm
import pytest
from backchannel.build.articles import ArticleInfo
from backchannel.digest import indirect_forms, question_forms, sentences, text
from backchannel.digest.addressing import greeted
from backchannel.digest.build import compose
from backchannel.digest.questions import extract_questions, find_questions, is_question
from backchannel.digest.render_html import render_html
from backchannel.digest.render_md import render_md
from backchannel.model import Item, Kind, State
from hypothesis import example, given, settings
from hypothesis import strategies as st

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
UNTIL = datetime(2030, 1, 1, tzinfo=UTC)


def item(cid, body, *, days=0, parent=None, owner=False, author=None, art="post") -> Item:
    return Item(
        id=cid,
        kind=Kind.COMMENT,
        article=art,
        author=author or ("Site Owner" if owner else f"Reader {cid[-2:]}"),
        date=T0 + timedelta(days=days),
        origin="test",
        body=body,
        parent=parent,
        author_reply=owner,
        state=State.PUBLISHED,
    )


# --- text before analysis --------------------------------------------------------


def test_html_attributes_and_urls_never_become_words():
    body = (
        '<p>Nice write-up, <a href="https://example.org/x?y=1" rel="nofollow noopener" '
        'title="Example page">see my notes</a>.</p><p>How did you <b>measure</b> it?</p>'
    )
    plain = text.strip_markup(body)
    for word in ("href", "rel", "nofollow", "noopener", "title", "example.org", "https"):
        assert word not in plain
    assert "see my notes" in plain
    assert extract_questions(body) == ["How did you measure it?"]


def test_markdown_links_images_code_and_quotes_are_read_as_a_page_reads():
    body = (
        "> Is the cache cold here?\n\n"
        "I tried [the patched build](https://example.net/build?id=4) ![graph](g.png?x) "
        "with `std::atomic<int>` and it was slower.\n\n"
        "```\nif (x?) y;\n```\n\n"
        "    indented = code?\n\n"
        "Why would **that** be?"
    )
    plain = text.strip_markup(body)
    assert "the patched build" in plain and "std::atomic<int>" in plain
    assert "example.net" not in plain and "graph" not in plain and "indented" not in plain
    assert extract_questions(body) == ["Why would that be?"]


@pytest.mark.parametrize(
    "body",
    [
        "<p>Bob wrote <q>but in what way does it repeat itself?</q></p><p>Why not X?</p>",
        "Bob wrote <q>but in what way does it repeat itself?</q> and I agree. Why not X?",
    ],
)
def test_an_inline_quotation_is_quoted_text_not_a_question(body):
    # Imported WordPress and Disqus comments quote another reader with <q>.
    assert extract_questions(body) == ["Why not X?"]


def test_an_indented_html_body_is_not_indented_code():
    # Comments kept as HTML in an old blog's pages are indented with tabs: layout, not code.
    body = (
        "\n  \t<p>\n  \t\tI test for the parameter's name.\n  \t</p>\n"
        "  \t<p>\n  \t\tThis feels brittle. Care to comment on this?\n  \t</p>\n  "
    )
    assert extract_questions(body) == ["Care to comment on this?"]


def test_a_bracketed_hedge_asks_nothing():
    assert extract_questions("Still just as relevant today, (I think?). Or (?) not.") == []
    assert extract_questions("Hey Sam (is it?)\n\nI built the same rack.") == []


def test_jekyll_highlight_blocks_are_code():
    # Comments imported from Jekyll sites hold Liquid code blocks; a listing's "?"s are no question.
    body = (
        "Ran it again and got this listing\n\n"
        "{% highlight shell %}\n$ ls -l\n?????????? ? ? ? ?  ? lost_dir\n{% endhighlight %}\n\n"
        "Which flag hides the broken entries?"
    )
    assert "lost_dir" not in text.strip_markup(body)
    assert extract_questions(body) == ["Which flag hides the broken entries?"]


@pytest.mark.parametrize(
    ("plain", "whole"),
    [
        (
            "I tried e.g. the lib. version and i. e. the old one. Does it build?",
            "I tried e.g. the lib. version and i. e. the old one.",
        ),
        ("Is ASP.NET Core affected? It uses Task.Run a lot.", "Is ASP.NET Core affected?"),
        ("P.S. Is there a newer version of the tool?", "Is there a newer version of the tool?"),
        ("Hmm... not sure. Can you show me how....", "Can you show me how...."),
        (
            "Hi Anna\nI read the whole series\nHow do I reset the counter",
            "How do I reset the counter",
        ),
        ("Really?! I had no idea.", "I had no idea."),
        # An ellipsis before a question or a request ends a sentence; before other words not.
        ("I flashed the board.. can you share the config", "can you share the config"),
        ("Then it hangs... any hints please.", "any hints please."),
        ("Odd… how does it boot then?", "how does it boot then?"),
        ("I abhor the default console... have you tried another?", "have you tried another?"),
        ("It boots... but slowly.", "It boots... but slowly."),
        # ...and before a capital ("..." ends it as "." would).
        (
            "The packagers should fix it... I don't understand why they wait.",
            "I don't understand why they wait.",
        ),
        # Without a space after it, the labelling rule reads on: one sentence.
        (
            "Into the forecast...could you please guide me",
            "Into the forecast...could you please guide me",
        ),
        ("Lines between the services.... would you help?", "would you help?"),
        # A "?" trailing off into dots and a space ends its sentence; without the space
        # the labelling rule reads on, as after any ellipsis.
        (
            "Does it pair??...Are you able to connect it?",
            "Does it pair??...Are you able to connect it?",
        ),
        ("Is it stable?... and does it scale?", "and does it scale?"),
        ("Is it stable?... I tried twice.", "Is it stable?..."),
        # A "?" apart after the full stop still ends that sentence.
        ("Is it fine for my students. ? Thanks.", "Is it fine for my students. ?"),
        # "?" before a lower-case word ends the sentence too.
        (
            "How do I batch it with tf.data ? tf.data reads files.",
            "How do I batch it with tf.data ?",
        ),
        # A line with a bracket did not leave sentencex reading on past the next "?".
        (
            'Setup:\n* Calls need "admin" rights\n* [Cached] calls go to the proxy\n'
            "Any tips on doing this simply? My first idea was a filter.",
            "Any tips on doing this simply?",
        ),
        (
            "This example example.org/... do that in Go.",
            "This example example.org/... do that in Go.",
        ),
        # A hard-wrapped line goes on in lower case or with a bracket: one sentence.
        (
            "Did you know there is a flag that lets you keep the\nold cache (from the last run)?",
            "Did you know there is a flag that lets you keep the old cache (from the last run)?",
        ),
        (
            "Do you run several pipelines\n (one per module, say)? How long do they take?",
            "Do you run several pipelines (one per module, say)?",
        ),
        (
            "You should write more on this,\nit is rarely covered.",
            "You should write more on this, it is rarely covered.",
        ),
        (
            "Is there any versioning (e.g.\nif a module wants SemVer)",
            "Is there any versioning (e.g. if a module wants SemVer)",
        ),
        # "i.e." and "e.g." never end a sentence, whatever follows.
        (
            "I read the part on sources, i.e. How to split a circuit. It helped.",
            "I read the part on sources, i.e. How to split a circuit.",
        ),
        # A list mark typed by hand is not part of the sentence.
        ("Two things:\n * is there a nightly build", "is there a nightly build"),
        # ...but not when the next line opens as a question, nor after an end mark.
        ("is any of it useful\nhow the pages arrive is up to the kernel", "is any of it useful"),
        ("It works.\nthe rest is slow", "the rest is slow"),
        # ...nor before a request ("kindly", as "please").
        ("ERROR: cannot open the table\nkindly help me out", "kindly help me out"),
        # ...nor before a lower-case "i" opening a line (a writer who never capitalises).
        ("i dont know how to work on it\n i want to use it", "i want to use it"),
        # A line stopping on a word no sentence ends on goes on, even before a capital...
        ("Is there a plugin to help with\nSEO?", "Is there a plugin to help with SEO?"),
        # ...unless the next line opens as a question (a link cut out after "from").
        ("I took the domains from\nIs the above right?", "Is the above right?"),
        # A run of "?" before a capital ends the sentence (sentencex reads on).
        ("Any ideas??? I am running it on Linux.", "Any ideas???"),
        # A Java wildcard's "?" ends nothing.
        (
            "Why is List<? extends Object> list allowed? It fails.",
            "Why is List<? extends Object> list allowed?",
        ),
        # Thanks glued to a question is a sentence of its own.
        ("Any advice on the driver?thanks.", "Any advice on the driver?"),
        # Ruby's predicate before ";" is code, not a sentence's end.
        (
            "it works by adding if response.success?; @id = params['id']; end",
            "it works by adding if response.success?; @id = params['id']; end",
        ),
        # A "?" before a bracket ends the sentence as before a lower-case word.
        (
            "is it in the nightly already? (don't know but the package manager seems faster)",
            "is it in the nightly already?",
        ),
        # A "?" right before a digit or hyphen is part of a token (a catalogue's dates).
        ("Omaha daily bee, 187?-1922, page 25.", "Omaha daily bee, 187?-1922, page 25."),
        # Two dots after a space end a sentence before a question, as without the space.
        ("Thanks Shai .. does this apply to files too", "Thanks Shai .."),
        ("Pls. Help me with the sound.", "Pls. Help me with the sound."),
        ("Help me pls. I tried everything.", "Help me pls."),
        # A name's "!" ends nothing before a lower-case word.
        ("For me Joomla! is the answer.. Thanks.", "For me Joomla! is the answer.."),
    ],
)
def test_sentences_survive_abbreviations_ellipses_and_line_breaks(plain, whole):
    assert whole in sentences.sentences(plain)


@pytest.mark.parametrize(
    "body",
    [
        # WordPress writes a break and a newline; a reader's raw tags go through the parser.
        "<p>Hi,</p>\n<p>Where do you keep the repositories<br />\ndirectory on the server?</p>",
        # A Markdown hard break (two spaces) as cmark renders it.
        "Where do you keep the *repositories*  \ndirectory on the server?",
    ],
)
def test_a_line_break_inside_a_sentence_does_not_end_it(body):
    asked = "Where do you keep the repositories directory on the server?"
    assert extract_questions(body) == [asked]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*"abcXY ,.!?'\"()\n", "www.x.org", "https://y.org/p?q"]), max_size=40)
)
@example(["a", "\n", " ", " ", "b"])
def test_plain_text_skips_rendering_and_reads_the_same_as_rendered(bits):
    body = "".join(bits)
    assert not text._MARKUP.search(body)
    rendered = text._rendered_text(cmarkgfm.markdown_to_html(body, options=text._RENDER_OPTIONS))
    # Compared as words: cmark also trims spaces at line ends.
    assert text.strip_markup(body).split() == text.strip_markup(rendered).split()


# --- question forms -----------------------------------------------------------------

QUESTIONS = [
    "Can you show me how the warm-up loop is timed.",  # no "?" after an inversion
    "Do you know if the driver flushes the queue first.",
    "what if both loads hit the same line.",
    "How can I be sure the call really runs asynchronously.",
    "One question though: how does the scheduler pick the core.",  # announced
    "I would very much appreciate your thoughts on the second benchmark.",  # requests
    "Could you also post the numbers for the smaller board",
    "Any idea how this behaves under Windows.",
    "Please let me know what you think,",
    "And also (if you have time) explain the last table.",
    "Wondering if the same holds for the newer chips.",  # indirect, any person
    "You can weigh in on the tracker if you want the flag kept:",
    "How to send the script's output to a file.",  # "How to …" as a sentence of its own
    "I'd be really interested in an article on the older boards.",
    "If so, the bigger question is, what made it fail.",
    "Please keep us posted.",
    "You might also want to consider darkening this form!",
    "The hash has no realm, and I have no idea why.",  # not knowing a named point
    "I'm not entirely sure what you did for the 2D case.",
    "Anna, what size server are you using for the builds - I think a small one will do",
    "Would love feedback on the new release.",
    "Request you to write an article on the test cases.",
    "Please feel free to point me in the right direction.",
    "I'm interested to hear what you think about the second book.",
    "I welcome your perspective on the second design.",
    "Try it, and tell me if the issue still holds.",
    "We were wondering whether the fix made it upstream.",
    "I'm curious what you would pick today.",
    "I'm a little confused why the second loop is slower.",
    "I am trying to understand what the second flag changes.",
    "If you are interested, I can send you my measurements.",  # an offer to decide on
    "Stephen, is the lock released before the callback runs.",
    # Error classes of a held-out blog (issue 18), each an invented example:
    "So, I wanted to know your experience with the second cache.",  # a wish to know "your X"
    "I'd be quite interested to read why you dropped the old bundler.",  # an adverb before it
    "You might want to investigate a reverse proxy in front of the site.",  # a suggestion
    "You could add a cache header to the config file.",
    "Hi there, I could really use some help with the deploy step.",  # asking for help
    "I still don't understand how the two caches stay in sync.",  # confusion naming a point
    "I read both posts and still don't understand why the build skips drafts.",
    "I'm also not sure why you pin the version in the lock file.",
    # ...and of a second held-out blog:
    "pls fix the download link in the second part",  # "please" as readers write it
    "What I continue to not understand is how the old entries survive a restart.",  # a cleft
    "What I don't understand is why the mirror needs the extra header.",
    "I fail to understand why the plugin reports a warning here.",
    "I am also mystified as to why the timer fires twice.",
    # ...and of a third:
    "hi can u share the layout file",  # a greeting, then the question
    "Please, any hint on the right way to store the tiles would help.",  # asking for hints
    "any tips or sample code plz.",
    "I saved the points, but am not sure where the app keeps that file.",
    # ...and of a fourth and a fifth:
    "Why not just pass the id to the view.",  # a suggestion worded as a question
    "I would also suggest for the parser to skip empty lines.",
    "I suggest add a dark theme for the docs.",
    "Consider using a pool for the connections instead of the global one.",
    "I am new to this, correct me if I'm wrong, thanks.",
    "Hopefully you can point me to the right setting.",  # a hope that asks for help
    "I need your assistance to read the group list on the first call.",  # a need
    "The relay clicks, but i don't know how to check the timing.",  # not knowing a point
    "I am not sure which lambda throws the error.",
    # ...and of session 14's held-out blogs:
    "Corrections are always welcome of course!",  # a request as a statement
    "I tried two tools and would love to hear which one you prefer.",  # "and would love to"
    "If you write about caches you really need to address the write-back case.",
    "If you could lend me a hand with the driver I would be grateful.",  # polite requests
    "I'd be obliged if you could look over my configuration.",
    "so im kinda at a loss as to why the module will not unload.",  # confusion naming a point
    "I honestly don't understand why the service starts twice.",
    "make a tutorial on the window manager",  # a bare request for a post
    "It would be great to have this in the next release!",  # wishes
    "Also would be nice to have a one-click deploy.",
    "I need help to run the script from a batch file.",  # a need
    "hoping someone can point me in the right direction!",  # a hope asking for help
    "Maybe you have a hint for me on the scheduler.",  # a tentative request
    "I have a question on this definition; can we say it covers the past too.",
    "Hi sir, I am new to this, and how can i estimate the coefficients.",  # a later clause
    "You should publish more about the radio codes.",  # a request to the author
    "It would be awesome if you wrote a summary of the lessons.",
    "Someday I would love to see an example with a real database.",
    # ...and of session 16's held-out blogs:
    "I was wondering, why do we need the surface pressure field.",  # "wondering," + wh-word
    "kindly help me out",  # "kindly" as "please"
    "Please, fix this.",
    "Man, just take this article down please.",  # an imperative ending in "please"
    "Solution please",
    "hi anna this error i also get, while the real run please reply",
    "What modification should be done to get only these levels.",  # a passive question
    "I don´t know why the next shader does not work; z is the view depth.",  # "´" as "'"
    "Cant recall if your sample included the depth pass",
    "I will appreciate your any suggestions.",
    "I would be actually very interested in seeing the code.",
    "Please come back to me by mail.",
    "I would like to discuss, email me to discuss if you get a chance.",
    "the script still fails??please help, thanks",  # marks glued to the next word
    "how to reset this board...please tell me",
    "I can't find where the bookmarks are",  # not knowing where a named thing is
    "I can't seem to find a way to list the packages that need it.",
    "Pls approve.",
    "Nonetheless if you do find the fix that'd be great!",  # a wish, its condition first
    "so I'm a bit unsure why the two browsers act differently.",
    "这个方法在 ARM 上也适用吗？",  # full-width question mark
    "この設定はどこで変えられますか？",
    "I always wonder why someone would go that far.",  # a present curiosity (see NOT_…)
    "You comments would be most appreciated.",  # sic: a real reader's request
    "Please can you implement the following:",  # "please" leads the inversion in
    "Sorry where is this file",  # and "sorry"
    "Would love some help soonest!",
    "I'm not clear on where the pmf of the prior comes from.",
    "I am curious though about the labels you have for the first two graphs.",
    "What option might you suggest for a 2 bay / RAID setup.",
    "which would you recommend for a small site",  # "which" + inversion, no mark
    "if I setup cdn with 20 hrs cache will it work.",  # a condition, then the inversion
    "If the sites look and feel changes significantly does this have huge impacts.",
    "It would help me a lot if you could list the plugins you use.",
    "it would help if there was a glossary for the acronyms",
    "If you find a faster way to parse the log, I'm all ears.",
    "You say it can be done in one pass – how?",  # a bare "how?" after a dash asks
    "I have no idea what you mean by a warm cache.",
    "If speed matters to you then, please, try the streaming parser:",
    "Please have a look at the talk I gave on it:",
    "Please feel free to add an Atom feed!",
    "I am open to suggestions :-)",
    "Maybe you can mention the flag that adds timestamps too:",
    "The host should be my own machine, Can anyone explain to me why it fails.",
    "Just a small question , what if I want to reach the box from outside.",
    "I might suggest trying a local user group to practise.",
    "You know how to turn the cache off?",
    "This belongs under your answer, so you may want to move that comment.",
    "Trying to understand how to add a file action to the search.",
    "I know what your score was but how did you prepare for it.",
    "One question how would I reuse the media query across projects",
    "I am particularly interested in seeing how the formats are mashed up.",
    "Some help would be much appreciated.",
    "A similar question for the L2 and L3 caches.",
    "It would be very useful to link a post about removing the old helper.",
    "It would have been nice if you give an example of the build command.",
    "And I also don't know why the normal points that way in this case.",
    "I cant understand why the first assertion is kept.",
    "might want to fix that typo in the title...",
    "I'm a little confused about the terms people use here, plugbox and so on.",
    "lets us know when you add the other codec to the script",  # "let us know" mistyped
    "Hi Steve - did you do any work on this since the last update.",
    "Please keep us updated on how the panel holds up!",
    "i want to use it please sort it out for me",
    "Wow this is awesome, what about the download link",  # an opener inside the clause
    "help plz.........",
    "It is not taking the new password.Plz help me out",  # no space after the full stop
    "how we can copy the commands from the page to the console",  # word order not inverted
    "Where i can find an example of the license setting",
    "help me please!!",  # "please!!": a word the hint index does not hold
    "Can I ask you a question: how do you set the path.",  # the question follows
    "I, too, would be interested in the methodology of assigning the slope.",
    "Secondly how would you use this with a table of results.",
    "I'd definitely love to see some bigger projects you have worked on.",
    "Are you serious about moving the build to Go?",  # asks, not disbelief
    "Help appreciated!",
    'Did it say "Please provide a password"',  # the quotation is inside
    "Hints welcome.",
    "YES, I would love details on using svn for your home directory.",
    "I'd also be interested in how you keep your home directory in Subversion.",
    "Can explain how to solve this error.",  # the subject left out
    "HELP!",
    "appreciate if anyone can offer further help.",
    "I am trying to build it so I can compile GNUstep, what options did you use.",
    "How the hell does ubuntu know the volume is encrypted.",
    "Hi,Can you tell me how to do it in version 3",  # the greeting glued on
    "I appreciate if I can get an answer soon.",
    "Which jar contains this:",  # the code it asks about follows
    "How about a tutorial on CSS grids, which is the main feature.",  # not a relative clause
    "Feedback would be very welcome.",
    "Like Jack said, I too would like to hear more about how you load the scripts.",
    "An example would be beneficial.",  # a wish opening on what is wished for
    "I'm interested whether suspend works with the nvidia driver.",
    "I keep the session ids in a table to compare runs, can this be done in your tool",
    "I will put my experiments up, so keep me posted.",
    "Anyways would love to hear how you wired the board.",
    "What is needed to run this.",
    "When I run the replay file, how I am going to check the events are applied.",
    "Why would you want to do that?",
    "So what do you suggest?",
    "Did the same thing happen to you",
    "A post on how to set up the JavaScript side would be great!",
    "I would like to get some support for OpenGL...",
    "I'd like some help with the layout",
    "Anyone know if I need to install anything more",
    "Anyway of changing the default path it mounts to, because I need that one.",
    "Any word on a fix.",
    "Or maybe is there a way of turning the prompt off.",
    "so, plz. help..",  # the abbreviation's full stop
    "and if I wanted to show the name along with the score, how would it?",  # a condition first
    "It would also be interesting to know how you drew the diagrams.",
    "Any details would be def be appreciated.",  # a typo between
    "u might want to rename the post now.",
    "Hey man, you need to fix the download link.",
    "New to this so if you have any pointers I'd be grateful.",
    "Would be a good idea to add a table of the flags :D",
    "It might be useful to include the version you tested.",
    "im new to js so it would be nice of you to help me with this..",
    "Any info on this would be excellent.",
    "could really use some help.",
    "Please also publish the slides somewhere.",
    "I was wondering, however, if it works with frames.",
    "any solution for this",
    "We are trying something similar and any help and feedback would be useful.",
]
NOT_QUESTIONS = [
    "Let me know if you run into any problems, good luck.",  # an offer of help
    "How did I not know about this before?",  # at oneself
    "Wow, why didn't I think of that ?",
    "What is truly needed is a script that counts the ids.",  # a cleft
    "When you need to update the schema, run the migration first.",  # anyone
    "Begs the question -- is it the tool or the person using it?",  # posed, not asked
    "It might be useful to know that the flag exists.",
    "Any delay would be bad for us.",
    "But if the host can do it for $17 a year I think that's still a fine price.",
    "I can use some help from my colleague.",
    "Really?",  # one-word fragments and surprise
    "Seriously?!",
    "Who knew?",  # stock rhetorical
    "One question for you.",  # only announces one
    "How to split it: run the tool twice.",  # "How to …" as a heading, or a subject
    "How to split it is another matter.",
    "How To Get Free Credits In Some Game 2021",  # a title (spam's keyword lines)
    "Oh you are right, I don't know what I was thinking!",  # at oneself
    "How are you ?",  # a pleasantry
    "I love feedback loops in general.",
    "Feel free to use my script.",
    "Here is my script if you're interested:",  # an offer that asks nothing
    "I wonder if it works with a smaller buffer (I'll figure it out myself).",
    "What is nice is that it needs no locks.",  # a cleft, not a question
    "Should you need the data, it is on my site.",  # a condition
    "My guess, then, is that the cache was cold.",
    '"Why is it slow?" was what my manager asked.',  # a quotation
    "I don't understand the second figure.",  # confusion that names no point
    "You need to understand how the allocator works first.",  # advice, not a wish
    "I'm not sure how to thank you enough for this series.",  # thanks, not confusion
    "I don't see why the old layout was a problem.",  # disagreement, not confusion
    "Great series, pls keep writing.",  # encouragement, not a request to answer
    "I don't have any ideas or plans for the weekend yet.",  # "any ideas", not asking
    "I am not sure where to start, so I read the whole series.",
    "What is more, the second run was faster.",
    "Why not?",  # stock rhetorical
    "I suggested that they rewrite the module.",  # a suggestion to someone else
    "I'd suggest that one answer might be a weekly report.",  # proposes an idea
    "I'd strongly suggest that the job runs at night.",
    "We considered using a pool, but it was slower.",
    "I hope you can keep the series going.",  # a hope, asking nothing to answer
    "I don't know how you find the time for these posts.",  # praise
    "I don't know what I would do without this blog.",
    "I don't know if this matters for my lights.",  # a musing
    "public Result Load(string id, int? mode, object data)",  # "?" in pasted code
    "I set the flag (why?) and it worked.",  # an aside
    "You need to restart the service after the update.",  # advice, not about the post
    "Everyone is welcome to join the meetup.",
    "I am grateful for your help with the driver.",  # thanks, not a request
    "However, what was needed on my laptop, was the kernel flag.",  # a cleft
    "I did a post about it on my own blog.",
    "It would be great if it worked, but it does not.",  # a complaint, not a wish
    "I hope someone fixes the road soon.",
    "I tried it twice; it did nothing.",
    "I read the post twice, and what a relief it was.",
    "Why bother typing exit when a single key will do?",  # stock rhetorical
    "I don't know how I missed this article, it is just what I needed.",  # praise
    "man, were you ahead of the curve.",  # an exclamation
    "ありがとうございます。",
    "A little improvement i suggest :",  # announces a suggestion, asks nothing
    "They are perpetuated by admins, I really can't understand why :).",  # names no point
    "EDIT: I'm unsure how to make code snippets here.",  # not knowing how to do a thing
    "If you like it, it would be great.",
    "Bon jour, monsieur Cedric, how are you?",  # a pleasantry after a greeting
    "Then so would anything.",  # agreement by ellipsis
    "PS: How are you?",
    "I couldn't find anything like it.",
    "Something I was wondering about though is that every post uses the Win key.",  # a preface
    "After your task, you may write a little documentation for the next person.",  # leave
    "I had that moment as I always wondered how the volatile keyword works.",
    "If the guide doesn't let you do it fast, don't use it.",  # subject, then the verb
    "If I do that it will work.",
    "Your work is much appreciated.",  # thanks, not a request
    "It is not clear how one can build a sitemap out of it.",  # states it
    "Anyway, so what I do is I create my base template as something like base.tpl.",
    "which will enable PAE bit in control register",  # a relative clause run on (a list item)
    "Which is actually… well… an illusion created by the kernel…",
    "The linker cannot inline it – how could it?",  # a rhetorical tag answers itself
    "(the parser never sees the header - how would it?",
    "It would help to read the manual first.",  # advice, no request
    "What was asked: a short program where the hint helps.",  # announces a quotation
    "It still fails, and I have no idea what I might have broken now.",  # one's own doing
    "Sorry, I don't know what you just said.",
    "Please try again.",  # an error message quoted
    "Please make sure the quotes are straight when you copy it.",  # advice to other readers
    "I was confused by the title at first.",  # a past confusion, settled
    "Thanks in advance for any pointers on getting this resolved.",  # thanks after a request
    "I'm trying to work out whether to move to git.... let me read your other article.",
    "$ ./branch01 ; echo $?",  # the shell's exit status
    "You know what was the hardest part?",  # a lead-in to the writer's own answer
    "Have this problem with my old machine and found this fix.",  # its subject left out
    "I don't know how many times I have set all this up by hand.",  # an exclamation
    "It doesn't matter what we think; the question is: what does the CPU think?",
    "It may seem odd but the question is what are the other options?",  # posed, answered
    "java.lang.IllegalStateException: No context found: no listener registered?",  # output
    "configure: WARNING: png.h: present but cannot be compiled?",  # a tool's output
    "The build lets me know when a test fails.",  # what a thing does, not "let me know"
    "This phrase - which is a crucial one - is missing a word.",  # a relative clause
    "I have two questions, which are both about the axes:",
    "How we can ship it this year is the real puzzle.",  # a clause, then its verb
    "I'd been wondering about this before I found your article.",  # a past curiosity
    "Great work.. but can i ask you a question about the read more link..",  # leave to ask
    "Can I ask you some questions about the proof?",
    "Version Control - Are you serious?",  # disbelief after a heading
    'Please provide a valid password to access the show."',  # a quotation's tail
    "def self.search(params={}) return nil if params.blank?",  # Ruby's predicate
    "Your work is welcome here.",
    "It throws an exception, which doesn't come from my own code.",  # a relative clause
    "It fails on the cache, how to fix it is my problem.",
    "Do this:",  # an imperative before a command
    "Do this on another Mac and use a text editor.",
    "Are you sure you want to install it to '/dev/disk10' [y/N] y",  # a program's prompt
    "Anyway to sum up, it works.",
    "Are you kidding ?",
    "root@box:~# ps aux | grep qemu root 20432 0.1 0.0 6396 2468 ?",  # a process list
    "lib/View/View.php line 470 ?",  # a stack frame, its arrow mangled to "?"
    "Which it allows, but the file stays the same.",  # a relative clause run on
    "I would like to get a faster machine.",
    "The app would be great if it worked.",
    "Why would you want to?",  # a stock retort
    "And so what?",
    "Did the same, works really well!",  # the subject left out
    "I'll keep you posted.",  # an offer
    "Question: Which is what lead me here.",  # a relative clause announced
    "What is needed now is for funders to require open access.",  # a cleft
    "One may wonder about the integrity of the reviewers.",  # asks no one
    "And you wonder why I called it a myth.",
    "If you double the input, does that double the time.",  # a comma, then "does that"
    "What didn't work was copying the paths, so the problem is not there.",  # a cleft
    "You know how long a full rebuild takes with the old connector?",
    "Great question, I had the same problem.",  # no question after the announcement
]


@pytest.mark.parametrize("sentence", QUESTIONS)
def test_questions_in_every_form_are_found(sentence):
    assert is_question(sentence) is True
    assert extract_questions(sentence) == [sentence]


@pytest.mark.parametrize("sentence", NOT_QUESTIONS)
def test_what_asks_nothing_is_left_out(sentence):
    assert is_question(sentence) is False


HINTS = (
    "i wonder if curious about confused why trying to understand how could you explain please "
    "let me know appreciate any idea how love to know interested in knowing if you're "
    "interested i can any thoughts on my question is whether it would be great to know "
    "suggest you might want to check what is are there do you the , . ( ) myself i'll figure "
    "wanted hear your quite could use some help don't understand not sure add investigate "
    "pls plz fix mystified as to what continue to not fail is hi hello hey any hints tips am "
    "where why not suggest also correct me if consider using 'd hopefully hope hoping point "
    "need your some assistance know dont which without find comments welcome really address "
    "and would love have ought grateful obliged if honestly loss at a make tutorial post "
    "hoping someone maybe perhaps hint be nice great there was help ; publish awesome see missed"
)


def every_form(low: str) -> bool:
    """asks_indirectly without its word index: every form's pattern tried."""
    for _, pattern in indirect_forms._INDIRECT_BY_HINT:
        if pattern.search(low):
            return not indirect_forms._SELF_SETTLED.search(low)
    return False


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(HINTS.split(" ")), min_size=1, max_size=14))
def test_the_word_index_changes_nothing(words):
    low = " ".join(words)
    assert indirect_forms.asks_indirectly(low) == every_form(low)
    whole = bool(
        question_forms._INTERROGATIVE.match(low)
    ) and not question_forms._NOT_INTERROGATIVE.match(low)
    assert question_forms._worded_as_question(low) == whole


# --- answered ----------------------------------------------------------------------


def state(items, answers=None, **kw):
    return {
        (q.comment_id, q.text): (q.answered_by, q.answer_id)
        for _, q in find_questions(items, answers or {}, **kw)
    }


def test_a_later_author_comment_in_the_same_thread_answers():
    items = [
        item("aaaaaa000001", "Does the patch apply to 5.4?"),
        item("aaaaaa000002", "Same here, and does it apply to 6.1?", days=1, parent="aaaaaa000001"),
        # The author answers both in one reply to the thread's first comment.
        item("aaaaaa000003", "Yes to both.", days=2, parent="aaaaaa000001", owner=True),
        item("aaaaaa000004", "And what about 4.19?", days=3, parent="aaaaaa000001"),
    ]
    got = state(items)
    assert got[("aaaaaa000001", "Does the patch apply to 5.4?")] == ("author-reply", "aaaaaa000003")
    assert got[("aaaaaa000002", "Same here, and does it apply to 6.1?")] == (
        "author-reply",
        "aaaaaa000003",
    )
    # Asked after the author's last word in the thread: still open.
    assert got[("aaaaaa000004", "And what about 4.19?")] == (None, None)


def test_a_top_level_author_comment_greeting_the_asker_answers_a_reply():
    items = [
        item("llllll000001", "Part two shows the timings.", owner=True),
        item(
            "llllll000002",
            "Is it the threaded runtime?",
            days=1,
            parent="llllll000001",
            author="Chris Penner",
        ),
        item(
            "llllll000003",
            "Could the GC be the cause?",
            days=1,
            parent="llllll000001",
            author="Dana Wu",
        ),
        # The author answers Chris in a new top-level comment, not under his reply.
        item("llllll000004", "@Chris, you are right, it is the parallel GC.", days=2, owner=True),
    ]
    got = state(items)
    assert got[("llllll000002", "Is it the threaded runtime?")] == ("author-reply", "llllll000004")
    # A top-level comment that does not greet Dana answers no reply of hers.
    assert got[("llllll000003", "Could the GC be the cause?")] == (None, None)


def test_old_blogs_answer_with_a_later_top_level_comment():
    items = [
        item("bbbbbb000001", "Is the benchmark code on GitHub?"),
        item("bbbbbb000002", "Thanks, the code is linked at the end now.", days=1, owner=True),
        item("bbbbbb000003", "Which compiler flags did you use?", days=2),
    ]
    got = state(items)
    assert got[("bbbbbb000001", "Is the benchmark code on GitHub?")] == (
        "author-reply",
        "bbbbbb000002",
    )
    assert got[("bbbbbb000003", "Which compiler flags did you use?")] == (None, None)
    # Long after, a top-level author comment answers the readers of its own time,
    # unless it greets the asker or comes right after the question.
    asked = ("bbbbbb000001", "Is the benchmark code on GitHub?")
    later = item("bbbbbb000004", "Nice write-up.", days=300)
    late = [items[0], later, replace(items[1], date=items[0].date + timedelta(days=400))]
    assert state(late)[asked] == (None, None)
    greeting = [*late[:2], replace(late[2], body="@Reader 01: the code is linked now.")]
    assert state(greeting)[asked][1] == "bbbbbb000002"
    next_one = [late[0], replace(later, author="Reader 01"), late[2]]  # a follow-up between
    assert state(next_one)[asked][1] == "bbbbbb000002"
    # Measured, and on by default; off, only the thread counts.
    off = state(items, top_level=False)
    assert off[("bbbbbb000001", "Is the benchmark code on GitHub?")] == (None, None)


def test_a_readers_follow_up_comment_continues_their_thread():
    minutes = timedelta(minutes=1) / timedelta(days=1)
    items = [
        item("cccccc000001", "How do you handle nested boxes?", author="Ann"),
        # Ann re-posts her drawing as a new comment two minutes later; the author
        # answers under that one, and so answers her question.
        item("cccccc000002", "The drawing again, fixed.", days=2 * minutes, author="Ann"),
        item("cccccc000003", "It works for those too.", days=1, parent="cccccc000002", owner=True),
        # A comment a day after her last is a new one, not a follow-up: still open.
        item("cccccc000004", "And for rotated boxes?", days=5, author="Ann"),
        item("cccccc000005", "Another thing: great series.", days=6, author="Ann"),
        item("cccccc000006", "Thanks!", days=7, parent="cccccc000005", owner=True),
    ]
    got = state(items, top_level=False)
    assert got[("cccccc000001", "How do you handle nested boxes?")] == (
        "author-reply",
        "cccccc000003",
    )
    assert got[("cccccc000004", "And for rotated boxes?")] == (None, None)
    # Another reader's comment continues nobody's thread.
    items[1] = item("cccccc000002", "The drawing again.", days=2 * minutes, author="Bob")
    got = state(items, top_level=False)
    assert got[("cccccc000001", "How do you handle nested boxes?")] == (None, None)


def test_a_later_author_comment_greeting_another_reader_answers_that_reader_only():
    # Blogs without threading: the author's next top-level comment opens "Hi <name>"
    # and answers that reader, not the reader who asked before them.
    items = [
        item("gggggg000001", "How do I set the path on Windows?", author="palex"),
        item("gggggg000002", "Does it run on the 2.x series?", days=1, author="Irene Moss"),
        item("gggggg000003", "Hi Irene, thanks, yes it does since 2.1.", days=2, owner=True),
        item("gggggg000004", "Hi all, version 3 is out.", days=3, owner=True),
    ]
    got = state(items)
    assert got[("gggggg000002", "Does it run on the 2.x series?")] == (
        "author-reply",
        "gggggg000003",
    )
    # The greeting to Irene skipped, the next comment greets no one: it may answer anyone.
    assert got[("gggggg000001", "How do I set the path on Windows?")] == (
        "author-reply",
        "gggggg000004",
    )
    assert state(items[:3])[("gggggg000001", "How do I set the path on Windows?")] == (None, None)
    # Greeting the asker among others, or replying to the question itself, answers it.
    both = [*items[:2], replace(items[2], body="Hi Irene and palex: yes, since 2.1.")]
    assert state(both)[("gggggg000001", "How do I set the path on Windows?")][1] == "gggggg000003"
    # A handle is greeted by its first word ("@palex" for "palex_dev"); a name that is
    # an address (OpenID) cannot be told from others: any later comment may answer it.
    for asker in ("palex_dev", "https://openid.example/id?id=77"):
        renamed = [replace(items[0], author=asker), *items[1:3]]
        got = state([*renamed[:2], replace(renamed[2], body="@palex, yes, since 2.1.")])
        assert got[("gggggg000001", "How do I set the path on Windows?")][1] == "gggggg000003"
        got = state(renamed)
        expected = None if asker == "palex_dev" else "gggggg000003"
        assert got[("gggggg000001", "How do I set the path on Windows?")][1] == expected
    below = [*items[:2], replace(items[2], parent="gggggg000001")]
    assert state(below)[("gggggg000001", "How do I set the path on Windows?")][1] == "gggggg000003"


def test_a_greeting_may_cut_the_askers_name_short():
    # A real flat blog: the author answered Patrick Kwinten with "@Patric - …".
    items = [
        item("pppppp000001", "Could the pager get a slider bar?", author="Patrick Kwinten"),
        item("pppppp000002", "Does it work in 8.5?", days=1, author="Peter Presnell"),
        item("pppppp000003", "@Patric - retro is in, I'll try.", days=2, owner=True),
    ]
    got = state(items)
    assert got[("pppppp000001", "Could the pager get a slider bar?")][1] == "pppppp000003"
    assert got[("pppppp000002", "Does it work in 8.5?")] == (None, None)
    # Three letters are too few to tell whom they call ("@Pat" is not Patrick's).
    short = [*items[:2], replace(items[2], body="@Pat - retro is in.")]
    assert state(short)[("pppppp000001", "Could the pager get a slider bar?")] == (None, None)


@pytest.mark.parametrize(
    ("asker", "answer", "unnamed", "days"),
    [
        # Real flat blogs: the author's answers came 38 and 139 days later, past
        # answered.TOP_LEVEL_WITHIN; without the name, or opening on a word no reader bears
        # ("Update:"), such a late comment answers no one.
        ("Anton Petrov", "Thanks for the code Anton, I'll include it.", "Thanks for the code.", 38),
        ("Stephen Hall", "Stephen, the reason is the old protocol.", "Update: it changed.", 139),
        # A handle made of the asker's names, and a thanks that lists several readers.
        ("Ian Davis", "@iand trust you to ask the hard one: yes.", "@ivan yes.", 40),
        ("Ian Davis", "@idavis yes.", "@ivan yes.", 40),
        ("Jakob Voss", "Thanks for the notes John, Graham and Jakob. Yes.", "Thanks John.", 40),
    ],
)
def test_a_late_author_comment_naming_the_asker_answers_them(asker, answer, unnamed, days):
    asked = "Can you include this class in your network script?"
    items = [
        item("tttttt000001", asked, author=asker),
        item("tttttt000003", "Great script.", days=days - 1),  # not right after the question
        item("tttttt000002", answer, days=days, owner=True),
    ]
    assert state(items)[("tttttt000001", asked)] == ("author-reply", "tttttt000002")
    items[2] = replace(items[2], body=unnamed)
    assert state(items)[("tttttt000001", asked)] == (None, None)


def test_one_author_comment_may_greet_its_readers_paragraph_by_paragraph():
    # A real flat blog: "@Krishna: …" then, in a later paragraph, "@BlueRaja: Sure does:".
    asked = "Does the router have working QoS yet?"
    items = [
        item("kkkkkk000001", "The bold text looks odd in the old posts.", author="Krishna"),
        item("kkkkkk000002", asked, days=1, author="BlueRaja"),
        item(
            "kkkkkk000003",
            "@Krishna: yes, I saw it too.\n\n@BlueRaja: Sure does.",
            days=2,
            owner=True,
        ),
    ]
    assert state(items)[("kkkkkk000002", asked)] == ("author-reply", "kkkkkk000003")
    # Without the second greeting the comment speaks to Krishna alone.
    items[2] = replace(items[2], body="@Krishna: yes, I saw it too.\n\nSure, it does.")
    assert state(items)[("kkkkkk000002", asked)] == (None, None)


def test_paragraphs_opening_on_a_name_and_colon_greet_each_reader():
    # A real flat blog: the author answered three readers four months later in one
    # comment, a paragraph each: "CpILL: …", "Matthias: …", "Pim: …".
    asked = "Does it work on your system?"
    items = [
        item("nnnnnn000001", "Is recursion on?", author="CpILL"),
        item("nnnnnn000002", asked, days=1, author="Pim"),
        item("nnnnnn000003", "CpILL: yes.\n\nPim: it does.", days=120, owner=True),
    ]
    assert state(items)[("nnnnnn000002", asked)] == ("author-reply", "nnnnnn000003")
    comma = replace(items[2], body="CpILL: yes.\n\nPim, it does.")  # a comma greets too
    assert state([*items[:2], comma])[("nnnnnn000002", asked)][1] == "nnnnnn000003"
    # ... but not a word that is no one's name, however it starts ("Sure" is not Suresh's).
    suresh = [items[0], replace(items[1], author="Suresh")]
    sure = replace(items[2], body="CpILL: yes.\n\nSure, it does.")
    assert state([*suresh, sure])[("nnnnnn000002", asked)] == (None, None)
    items[2] = replace(items[2], body="CpILL: yes.\n\nUpdate: it does.")
    assert state(items)[("nnnnnn000002", asked)] == (None, None)


def test_a_later_line_or_sentence_greets_its_reader_after_an_opening_to_all():
    # Held-out Blogger pages: "@bawb<BR/>Thanks!<BR/><BR/>@marcus<BR/>LocalScroll …", and
    # "Thanks everyone for the comments. Julien: my address is …" answers Julien alone.
    asked = "Do you have an address for donations?"
    items = [
        item("qqqqqq000001", "Can it scroll on mouse moves?", author="Marcus"),
        item("qqqqqq000002", asked, days=1, author="Julien"),
        item("qqqqqq000003", "Thanks everyone. Julien: here it is.", days=2, owner=True),
    ]
    answered = state(items)
    assert answered[("qqqqqq000002", asked)] == ("author-reply", "qqqqqq000003")
    assert answered[("qqqqqq000001", "Can it scroll on mouse moves?")] == (None, None)
    items[2] = replace(items[2], body="@bob<BR/>Thanks!<BR/><BR/>@marcus<BR/>It can.")
    answered = state(items)
    assert answered[("qqqqqq000001", "Can it scroll on mouse moves?")][1] == "qqqqqq000003"
    assert answered[("qqqqqq000002", asked)] == (None, None)


def test_a_name_in_lower_case_greets_its_reader():
    # A real flat blog: the author's "paris, …" answered paris, not Pete's question before.
    asked = "Would it work on my iBook?"
    items = [
        item("pppppq000001", asked, author="Pete"),
        item("pppppq000002", "Does the disc boot?", days=1, author="paris"),
        item("pppppq000003", "paris, yes it boots.", days=6, owner=True),
    ]
    assert state(items)[("pppppq000001", asked)] == (None, None)
    assert state(items)[("pppppq000002", "Does the disc boot?")][1] == "pppppq000003"


def test_a_greeting_to_nobody_on_the_post_still_answers():
    # A real author answered Grant with "Hi Jordan," (a slip): no Jordan commented.
    items = [
        item("hhhhhh000001", "Could you post a screenshot of the settings?", author="Grant A"),
        item("hhhhhh000002", "Hi Jordan, I have added the screenshot.", days=1, owner=True),
    ]
    got = state(items)
    assert got[("hhhhhh000001", "Could you post a screenshot of the settings?")][1] == (
        "hhhhhh000002"
    )
    # An @-mention is copied from a comment, maybe one the store does not hold: it points
    # the reply at that commenter.
    mention = [items[0], replace(items[1], body="@Jordan I have added the screenshot.")]
    got = state(mention)
    assert got[("hhhhhh000001", "Could you post a screenshot of the settings?")] == (None, None)


def find_questions_asked(items):
    return [(q.comment_id, q.text) for _, q in find_questions(items, {})]


def test_a_follow_up_under_ones_own_comment_still_asks_the_author():
    # Staticman hangs every reply on the thread's first comment: the asker's own
    # follow-up is no reply to another reader (a sixth held-out blog).
    follow_up = "The point about global groups still stands - can a contact join them?"
    items = [
        item("iiiiii000001", "How do I list the members of a group?", author="Ana Ruiz"),
        item("iiiiii000002", follow_up, days=1, parent="iiiiii000001", author="Ana Ruiz"),
        item("iiiiii000003", follow_up, days=2, parent="iiiiii000001", author="Bo Lee"),
    ]
    asked = find_questions_asked(items)
    assert ("iiiiii000002", follow_up) in asked
    # The same remark under another reader's comment argues with that reader.
    assert not any(cid == "iiiiii000003" for cid, _ in asked)


def test_a_reply_under_a_readers_comment_may_still_ask_the_author():
    # Staticman threads again (a held-out blog): the asker's name written shorter, and a
    # reader answering the author's reply, both hang on the first reader's comment.
    ask = "do you have a link to a good article on it?"
    items = [
        item("jjjjjj000001", "How do I check a user's groups?", author="Ana Ruiz"),
        item("jjjjjj000002", f"Thanks, {ask}", days=1, parent="jjjjjj000001", author="Bo Lee"),
        item("jjjjjj000003", "I may add a section.", days=2, parent="jjjjjj000001", owner=True),
        item(
            "jjjjjj000004",
            f"Seems you never did, {ask}",
            days=9,
            parent="jjjjjj000001",
            author="Cy Dunn",
        ),
        item("jjjjjj000005", f"Also, {ask}", days=10, parent="jjjjjj000001", author="Ana"),
    ]
    asked = {cid for cid, _ in find_questions_asked(items)}
    assert "jjjjjj000002" not in asked  # to Ana, before the author spoke
    assert {"jjjjjj000004", "jjjjjj000005"} <= asked


def test_greeting_oneself_over_ones_own_comment_still_asks_the_author():
    # A real blog: a reader's "@Murali" over Murali's own first comment, then the question.
    again = "Sorry, what I meant was is it possible to print it without the loop?"
    items = [
        item("mmmmmm000001", "Does the reader return an array?", author="Murali"),
        item("mmmmmm000002", "@Murali\n\n" + again, days=1, parent="mmmmmm000001", author="Murali"),
    ]
    assert ("mmmmmm000002", again) in find_questions_asked(items)
    # Greeting another reader who was there before still asks that reader.
    items[0] = replace(items[0], author="Murali K")
    items[1] = replace(items[1], author="Ravi", body="@Murali\n\n" + again)
    assert not any(cid == "mmmmmm000002" for cid, _ in find_questions_asked(items))


def test_a_question_its_writer_answers_next_asks_nothing():
    body = "Would I push back on someone using a grid framework? Probably not, as it works."
    assert extract_questions(body) == []
    assert extract_questions("Did it do the job? Of course. Thanks!") == []
    # ... also in a comment whose one-word fragments ask beside its questions.
    fragments = "Does it scale? Probably not. Can you add a cache? Redis?"
    assert extract_questions(fragments) == ["Can you add a cache?", "Redis?"]
    # A reason for asking is no answer.
    asked = "Would you use a grid framework? Because I might."
    assert extract_questions(asked) == ["Would you use a grid framework?"]


def test_a_pingback_excerpt_asks_nothing():
    # WordPress pingbacks kept as comments by an import that dropped their type.
    for body in [
        "[...] Web cartography... that's like Google Maps, right? - Axis Maps Blog [...]",
        "[&#8230;] one thing you might want to look at are the templates. [&#8230;]",
    ]:
        assert extract_questions(body) == []
    # Elision marks inside a reader's own text do not make it an excerpt.
    assert extract_questions("[...] is that right? I quoted the post.") == ["[...] is that right?"]


def test_a_one_word_fragment_asks_beside_a_question_only():
    # "GDPR? ISO?" narrow the question before them; alone, "Why?" is a retort.
    assert extract_questions("Are there legal problems with a local copy? GDPR? ISO?") == [
        "Are there legal problems with a local copy?",
        "GDPR?",
        "ISO?",
    ]
    assert extract_questions("Why? Can you give an explanation? Thanks!") == [
        "Why?",
        "Can you give an explanation?",
    ]
    assert extract_questions("The sampling is hourly? Yes?") == ["The sampling is hourly?", "Yes?"]
    assert extract_questions("Why? It is fine as it is.") == []
    assert extract_questions("Really? Can you show it?") == ["Can you show it?"]


@pytest.mark.parametrize(
    ("first", "second", "asks_the_author"),
    [
        # Imports keep the name as typed each time ("bara", then "Bara"): the follow-up
        # under one's own comment still asks the author.
        ("bara", "Bara", True),
        # Disqus signs every guest "Guest": a guest's reply under another guest's
        # comment asks that reader, not the author.
        ("Guest", "Guest", False),
    ],
)
def test_who_wrote_a_reply_decides_whom_it_asks(first, second, asks_the_author):
    items = [
        item("kkkkkk000001", "The run fails at the second step.", author=first),
        item(
            "kkkkkk000002",
            "Do you have any idea please",
            days=1,
            parent="kkkkkk000001",
            author=second,
        ),
    ]
    asked = [(q.comment_id, q.text) for _, q in find_questions(items, {})]
    assert asked == ([("kkkkkk000002", "Do you have any idea please")] if asks_the_author else [])


def test_a_url_ends_before_the_punctuation_after_it():
    # The link's text is its URL and a ")": the full stop after it still ends the sentence.
    body = (
        "<p>Hi,\nyou had to apply the converter (<a href=https://example.org/a/)>"
        "https://example.org/a/)</a>. Is that not necessary anymore?</p>"
    )
    assert extract_questions(body) == ["Is that not necessary anymore?"]


def test_a_line_quoted_mail_style_is_quoted_text():
    # An export that escaped the ">" of a quote: the quoted words are not the reader's.
    body = "I'm shocked:\n\n&gt; so you think this is fast?\n\nWhat does the CPU think?"
    assert extract_questions(body) == ["What does the CPU think?"]
    assert extract_questions("<p>&gt; is it fast?</p><p>Is it mine?</p>") == ["Is it mine?"]


def test_code_fences_typed_into_an_html_body_are_code():
    body = (
        "<p>What fixed it was moving the offset:</p><p>```<br>"
        "const y = a &lt; b ? c : d;<br>```</p><p>Does that help?</p>"
    )
    assert extract_questions(body) == ["Does that help?"]


def test_code_pasted_as_prose_asks_nothing_at_its_ternary():
    # A real comment pasted a jQuery fix as paragraphs: the split at "? " leaves a
    # call still open before the ternary's "?".
    body = (
        "<p>Update line #356 (in same file) from return parseInt($.curCSS(el.jquery ? "
        "el[0] : el, 'width'))</p><p>Does that help?</p>"
    )
    assert extract_questions(body) == ["Does that help?"]
    assert extract_questions("width: expression( (document.body && document.body.x) ?") == []
    log = 'User Load (4.9ms) SELECT "users".* FROM "users" WHERE "users"."token" = ? LIMIT 1'
    assert extract_questions(log) == []  # a SQL log's bind placeholder
    # An aside left open is still a question ("(one local variable?").
    assert extract_questions("It depends on the size (one local variable?") != []


def test_a_double_post_is_answered_when_the_author_answers_one_copy():
    items = [
        item("jjjjjj000001", "Which lambda throws the error?", author="Hille"),
        item("jjjjjj000002", "Which lambda throws the error?", days=0.01, author="Hille"),
        item("jjjjjj000003", "The second one.", days=1, parent="jjjjjj000002", owner=True),
        item("jjjjjj000004", "Which lambda throws the error?", days=2, author="Other"),
    ]
    got = state(items, top_level=False)
    assert got[("jjjjjj000001", "Which lambda throws the error?")] == (
        "author-reply",
        "jjjjjj000003",
    )
    # The same words from another reader are another question.
    assert got[("jjjjjj000004", "Which lambda throws the error?")] == (None, None)


def test_one_greets_only_readers_already_there_and_the_author_misspelt():
    # A real blog's readers wrote "Hi Eric" to its author Erik; a reader named Eric
    # commented years later, and another greets Eric after he came.
    items = [
        item("kkkkkk000001", "Hi Eric, how do I reset the tablet?", author="Ann"),
        item("kkkkkk000002", "Which charger does it take?", days=400, author="Eric Stone"),
        item("kkkkkk000003", "Hi Erik, does the 2.2 update help?", days=401, author="Bo"),
        item("kkkkkk000004", "Hi Eric, did you try the other charger?", days=402, author="Cy"),
        item("kkkkkk000005", "Hi Erik, thanks for writing.", days=500, owner=True, author="Erik"),
    ]
    texts = [q.text for _, q in find_questions(items, {})]
    assert "Hi Eric, how do I reset the tablet?" in texts  # no Eric there yet
    assert "Hi Erik, does the 2.2 update help?" in texts
    # Once Eric has commented, "Hi Eric" is still one letter off the author's name.
    assert "Hi Eric, did you try the other charger?" in texts
    # A name far from the author's, once its reader is there, asks that reader.
    other = [*items[:2], replace(items[3], body="Hi Stone, did you try the other charger?")]
    other_texts = [q.text for _, q in find_questions([*other, items[4]], {})]
    assert "Hi Stone, did you try the other charger?" not in other_texts


def test_a_comment_opening_by_greeting_another_reader_asks_that_reader():
    # Blogs without threading: "@Ana, did you …" is for Ana, not for the author.
    items = [
        item("hhhhhh000001", "How do I rotate the logs?", author="Ana Ruiz"),
        item("hhhhhh000002", "@Ana I have the same problem. Did you find a fix?", days=1),
        item("hhhhhh000003", "Hi Ana and Phil, is the fix in 2.1?", days=2, author="Bo Lee"),
        item("hhhhhh000004", "Hi Phil, could you cover log rotation?", days=3),
    ]
    texts = [q.text for _, q in find_questions(items, {})]
    # Phil is no reader here (the author signs otherwise): those questions stay.
    assert texts == [
        "How do I rotate the logs?",
        "Hi Ana and Phil, is the fix in 2.1?",
        "Hi Phil, could you cover log rotation?",
    ]
    # A handle is addressed by one of its words: "@Ana" is for "ana_ruiz" too.
    handle = [replace(items[0], author="ana_ruiz"), items[1]]
    assert [q.text for _, q in find_questions(handle, {})] == ["How do I rotate the logs?"]
    # Opening on a reader's name and a colon speaks to that reader too; "Update:" to no one.
    colon = [
        items[0],
        item("hhhhhh000005", "Ana:\n\nhow many times did you restart it?", days=4),
        item("hhhhhh000006", "Update: does the fix work on 2.1?", days=5),
    ]
    assert [q.text for _, q in find_questions(colon, {})] == [
        "How do I rotate the logs?",
        "Update: does the fix work on 2.1?",
    ]


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("Hi Liju,\n\nI expected the file elsewhere.", ("liju",)),
        ("Hey BOK, you are right.", ("bok",)),
        ("Hi sanky, unfortunately I don't know jasper.", ("sanky",)),
        ("Hello, Martin.", ("martin",)),
        ("Thanks Hartmut, fixed.", ("hartmut",)),
        ("@Swarga For Windows, set the variable.", ("swarga",)),
        ("<p>Hi Frank,</p><p>the variable is an array.</p>", ("frank",)),
        ("Hi Atle and Bob, yes.", ("atle", "bob")),
        ("<p>@David_K @Joe, it works now.</p>", ("david_k", "joe")),
        ("Thanks for the code Anton, I'll include it.", ("anton",)),
        ("Thank you for spotting this Adrian.", ("adrian",)),
        ("Thanks for the notes John, Graham and Jakob.", ("john", "graham", "jakob")),
        ("Thanks Anna & Bob!", ("anna", "bob")),
        ("Thanks Bob, Alice is right.", ("bob",)),  # a sentence goes on after the name
        ("Thanks for the note!", ()),
        ("Thanks for the link, I'll read it.", ()),
        ("Hi all, version 3 is out.", ()),
        ("Hi there!", ()),
        ("hi, yes you are right", ()),
    ],
)
def test_the_names_a_reply_greets(body, names):
    assert greeted(body) == names


def test_a_comment_also_greets_the_name_it_opens_on():
    assert greeted("Mikel:\n\nhow often?") == ("mikel",)
    assert greeted("<p>Ana, I had it too.</p>") == ("ana",)
    assert greeted("Hi all, same here.") == ()
    # A common word opening a comment is no one's name ("Sure" would call Suresh).
    assert greeted("Sure, I'll add it.") == greeted("Edit: fixed.") == ()


def test_questions_to_another_reader_or_remarks_in_replies_to_readers_are_not_for_the_author():
    items = [
        item("cccccc000001", "The fence is not needed on x86.", author="Maria Lopez"),
        item(
            "cccccc000002",
            "Can you clarify what you mean, Maria? Surely the store buffer still drains first?",
            days=1,
            parent="cccccc000001",
            author="Tom Reid",
        ),
        item(
            "cccccc000003",
            "Why does the author use a fence then?",
            days=2,
            parent="cccccc000001",
            author="Ada Park",
        ),
    ]
    texts = [q.text for _, q in find_questions(items, {})]
    assert texts == ["Why does the author use a fence then?"]
    # In a reply to a reader, "you" is that reader, unless the author is called by name.
    replies = [
        items[0],
        item(
            "cccccc000004", "Did you try it with the fence removed?", days=3, parent="cccccc000001"
        ),
        item("cccccc000005", "Stephen, can you cover it too?", days=4, parent="cccccc000001"),
        item(
            "cccccc000006",
            "Good point.",
            days=5,
            parent="cccccc000001",
            author="Stephen Cleary",
            owner=True,
        ),
    ]
    texts = [q.text for _, q in find_questions(replies, {})]
    assert texts == ["Stephen, can you cover it too?"]


def test_the_digest_says_where_a_question_was_answered_and_links_it():
    items = [
        item("dddddd000001", "Does this work on ARM?"),
        item("dddddd000002", "It does, since 2.0.", days=1, parent="dddddd000001", owner=True),
        item("dddddd000003", "Could you cover the RISC-V port?", days=2),
        item("dddddd000004", "How large can the buffer get?", days=3, parent="dddddd000002"),
    ]
    article = ArticleInfo(
        id="post",
        slug="post",
        title="The Post",
        url="post.html",
        date=T0 - timedelta(days=5),
        status="published",
        source_path="post.md",
        html="<p>Text.</p>",
        summary="",
        answers=(),
    )
    answer = replace(
        article,
        id="risc-v",
        slug="risc-v",
        title="The RISC-V port",
        url="risc-v.html",
        date=T0 + timedelta(days=4),
        answers=("dddddd000003",),
    )
    d = compose(items, [article, answer], None, UNTIL, siteurl="https://blog.example")
    data = json.loads("".join(d.json_chunks()))
    by_id = {q["comment_id"]: q for q in data["questions"]}
    assert by_id["dddddd000001"]["answered_by"] == "author-reply"
    assert (
        by_id["dddddd000001"]["answer_url"] == "https://blog.example/post.html#comment-dddddd000002"
    )
    assert by_id["dddddd000003"]["answered_by"] == "risc-v"
    assert by_id["dddddd000003"]["answer_url"] == "https://blog.example/risc-v.html"
    assert (
        by_id["dddddd000004"]["answered"] is False and by_id["dddddd000004"]["answer_url"] is None
    )
    assert data == d.to_json()
    md = render_md(d)
    assert "in a reply <https://blog.example/post.html#comment-dddddd000002>" in md
    assert "<https://blog.example/risc-v.html>" in md
    page = render_html(d)
    assert (
        '<a href="https://blog.example/post.html#comment-dddddd000002">answered in a reply</a>'
        in page
    )


INLINE_BITS = [
    *"ab .?,*`",
    '<a href="https://x.example/1?y=2" rel="nofollow noopener">',
    "</a>",
    "<b>",
    "</b>",
    '<span title="a>b">',
    "</span>",
    "<br>",
    "[t](https://u.example)",
    "word",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(INLINE_BITS), max_size=30).map("".join))
@example('Hi <span title="a>b">there</span>, why?')
def test_inline_tags_read_without_the_html_parser_as_with_it(body):
    """Tags inside a line skip the HTML parser: cmark copies only well-formed ones."""
    body = "x " + body  # never a line that starts with "<" (an HTML block)
    assert not text._needs_html_parser(body)
    page = cmarkgfm.markdown_to_html(body, options=text._RENDER_OPTIONS)
    assert text._rendered_text(page).split() == text._html_text(page).split()


def test_comments_in_other_languages_keep_their_questions():
    body = "Das gilt z.B. auch für ARM. Gilt das auch für RISC-V? 这个方法在 ARM 上也适用吗？谢谢。"
    assert extract_questions(body, language="de") == [
        "Gilt das auch für RISC-V?",
        "这个方法在 ARM 上也适用吗？",
    ]
    # An unknown code falls back to general rules rather than failing.
    assert extract_questions("Was ist das? Gut.", language="und") == ["Was ist das?"]
