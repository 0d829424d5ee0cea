"""A realistic synthetic comment corpus for the digest benchmark (seeded, invented text).

Real reader comments (the dev set's three blogs) average ~62 words, and about half
hold a question. These are built from sentence templates filled from word lists:
topics are two-word phrases drawn with a Zipf-like skew (a few recur in thousands
of comments, most are rare), product-like model names and readers' names give a
long tail of words, and some comments greet the author, quote code or carry links,
so the phrase and language steps see the vocabulary and markup they meet on real
blogs. No text is copied from any real comment.
"""

from __future__ import annotations

import random


def _words(text: str) -> list[str]:
    return text.split()


ADJECTIVES = _words("""
async atomic batch binary blocking buffered cached cold concurrent custom default dynamic
embedded external fast fixed floating generic global hidden idle incremental inline internal
lazy legacy linear local low manual mixed mobile native nested offline open parallel partial
passive portable private public quick random raw recursive remote reverse safe scalar shared
silent simple single sparse stable static strict sync thin tiny unsigned unused virtual
volatile warm weak wireless
""")
NOUNS = _words("""
adapter algorithm allocator amplifier antenna array backup bandwidth battery benchmark bias
bitmap board bootloader branch breaker bridge browser buffer bus cable cache callback
capacitor certificate channel charger checksum chip circuit client clock cluster codec
compiler compressor connector console container controller converter core counter cursor
daemon database deadlock debugger decoder diode directory disk display domain driver encoder
endpoint engine event exception feed fence filter firmware flag font framework fuse gateway
generator gradient graph handler hash header heap hook index inductor inode interrupt
inverter iterator kernel key keyboard latency layer lease library limiter linker listener
lock log loop mailbox manifest matrix memory mesh meter migration mirror modem module monitor
mutex network node oscillator packet page parser partition patch pipeline plugin pointer
policy pool port prefetcher printer probe process profiler protocol proxy queue register
regulator relay renderer replica resistor resolver router runtime sampler scheduler schema
semaphore sensor server shader shell signal socket solver spinlock stack stream switch
syscall table task template terminal thread timer token tracer transformer transistor tree
trigger tunnel union updater validator vector volume watchdog widget worker
""")
VERBS = _words("""
allocate benchmark block buffer cache calibrate cancel compile configure debug decode deploy
detect disable drain encode flush freeze handle index inline install invalidate isolate
measure migrate mirror monitor parse patch poll prefetch profile rebuild recover reset
resolve restart sample schedule serialize shrink simulate split stream swap throttle trace
tune unlock update validate wrap
""")
PAST = _words("""
crashed stalled froze failed hung drifted overheated leaked slowed glitched rebooted
disconnected timed-out misbehaved
""")
PLACES = _words("""
laptop desktop phone tablet router server cluster workstation board container VM
Raspberry-Pi NAS lab-bench
""")
NAMES = _words("""
Anna Bruno Chidi Dana Emil Farah Goran Hana Ivo Jun Kofi Lena Marek Nia Omar Pia Quinn Rosa
Sami Tara Umar Vera Wen Xena Yusuf Zofia
""")
GREETINGS = ["Hi {author},", "Hello {author}!", "Thanks {author}.", "Great post, {author}."]
STATEMENTS = [
    "I tried the {topic} on my {place} and it {past} after about {n} minutes.",
    "We use a {topic} together with a {topic2} in production, and it works well enough.",
    "The part about the {topic} matches what I measured on the {model} last {month}.",
    "For what it's worth, the {topic} behaves differently when the {topic2} is {adj}.",
    "After switching to a {adj} {noun} the numbers dropped by {n} percent on my {place}.",
    "My colleague {name} had the same trouble with the {topic} on a {model}.",
    "It took me {n} hours to notice that the {topic2} was the real culprit here.",
    "I had always assumed the {topic} was free, so this was a useful surprise.",
    "On the {model} the {topic} only shows up under load, never when idle.",
    "The second chart made the cost of the {topic} much clearer to our team.",
]
QUESTIONS = [
    "How do you {verb} the {topic} when the {topic2} is {adj}?",
    "Is there a way to {verb} a {topic} without touching the {topic2}?",
    "Would the same trick work for a {topic} on the {model}?",
    "Could you write a follow-up about the {topic} and the {topic2}?",
    "What happens to the {topic} if the {place} loses power mid-way?",
    "Why does the {topic} {past_plain} on the {model} but not on the {model2}?",
    "Do you have numbers for the {topic} with a {adj} {noun}?",
    "Any idea how to {verb} the {topic} on a {place}?",
    "I wonder whether the {topic} still matters with a {adj} {noun}.",
    "Can you explain why the {topic} needs the {topic2} at all?",
]
CODE = "\n\n```\n{verb}_{noun}(buf, {n});\n```\n"
LINK = (
    " See [my notes](https://notes.example/{noun}-{n}) and "
    '<a href="https://x.example/{n}" rel="nofollow">this</a>.'
)
MONTHS = _words("January February March April May June July August September October November")


class Corpus:
    """Comment bodies and reader names from one seeded generator."""

    def __init__(self, seed: int, topics: int = 3000, models: int = 800) -> None:
        rng = self.rng = random.Random(seed)
        self.topics = [f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}" for _ in range(topics)]
        self.topics += [f"{rng.choice(NOUNS)} {rng.choice(NOUNS)}" for _ in range(topics)]
        letters = "ABCDEFGHJKLMNPRSTVXZ"
        self.models = [
            f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randrange(100, 9999)}"
            for _ in range(models)
        ]
        # A Zipf-like skew: weight 1/rank, so a few topics recur in many comments.
        total = 0.0
        self.cumulative = []
        for rank in range(len(self.topics)):
            total += 1 / (rank + 1)
            self.cumulative.append(total)

    def _topic(self) -> str:
        return self.rng.choices(self.topics, cum_weights=self.cumulative)[0]

    def _fill(self, template: str, author: str) -> str:
        rng = self.rng
        return template.format(
            topic=self._topic(),
            topic2=self._topic(),
            adj=rng.choice(ADJECTIVES),
            noun=rng.choice(NOUNS),
            verb=rng.choice(VERBS),
            past=rng.choice(PAST),
            past_plain=rng.choice(VERBS),
            place=rng.choice(PLACES).replace("-", " "),
            model=rng.choice(self.models),
            model2=rng.choice(self.models),
            name=rng.choice(NAMES),
            month=rng.choice(MONTHS),
            n=rng.randrange(2, 90),
            author=author,
        )

    def body(self, author: str = "Bench Author") -> str:
        """One comment of ~62 words; about half hold a question."""
        rng = self.rng
        parts = []
        if rng.random() < 0.3:
            parts.append(self._fill(rng.choice(GREETINGS), author.split(maxsplit=1)[0]))
        asks = rng.random() < 0.5
        words = 0
        target = rng.randint(32, 72)
        sentences = []
        while words < target:
            sentence = self._fill(rng.choice(STATEMENTS), author)
            sentences.append(sentence)
            words += len(sentence.split())
        if asks:
            for _ in range(1 if rng.random() < 0.7 else 2):
                sentences.insert(
                    rng.randrange(len(sentences) + 1), self._fill(rng.choice(QUESTIONS), author)
                )
        parts += sentences
        text = " ".join(parts)
        roll = rng.random()
        if roll < 0.05:
            text += self._fill(CODE, author)
        elif roll < 0.12:
            text += self._fill(LINK, author)
        return text

    def reader(self) -> str:
        """A reader's display name."""
        rng = self.rng
        return f"{rng.choice(NAMES)} {rng.choice(NAMES)}son{rng.randrange(300)}"
