"""jieba, loaded once, with a leaner dictionary so that a cold start stays well under a second.

jieba's bundled dictionary has about 350,000 words and takes ~0.8 s to load even from its cache; the
rare words carry no signal for shop chat (character n-grams cover them), so the dictionary used here
keeps the words jieba has seen at least `MIN_FREQ` times, plus the shop's own vocabulary. The lean
dictionary and jieba's prefix cache are written once to the user's cache folder.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import jieba

from nlu.lexicon import DOMAIN_WORDS

MIN_FREQ = 50
DOMAIN_FREQ = 20_000
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

jieba.setLogLevel(logging.WARNING)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("XIAOER_CACHE_DIR", Path(base) / "xiaoer"))


def _lean_dictionary(folder: Path) -> Path:
    path = folder / f"jieba-min{MIN_FREQ}-{jieba.__version__}.txt"
    if not path.exists():
        source = Path(jieba.__file__).with_name("dict.txt")
        with source.open(encoding="utf-8") as lines:
            kept = [line for line in lines if int(line.split(" ")[1]) >= MIN_FREQ]
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("".join(kept), encoding="utf-8")
        partial.replace(path)  # atomic, so two first starts at once cannot read half a file
    return path


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                folder = cache_dir()
                built = jieba.Tokenizer(str(_lean_dictionary(folder)))
                built.cache_file = str(folder / f"jieba-min{MIN_FREQ}.cache")
                built.initialize()
                for word in DOMAIN_WORDS:
                    built.add_word(word, DOMAIN_FREQ)
                _tokenizer = built
    return _tokenizer
