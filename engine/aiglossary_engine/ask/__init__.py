"""Ask the glossary: find a term from a description in the reader's own words.

* ``text`` - normalisation, tokens and encoder features (the browser's ``glossary-ask.js`` does the same);
* ``entries`` - the ranking fields and training sentences of each entry;
* ``rank`` - BM25F, the encoder's cosine and their fusion; ``runtime`` - ``engine ask`` (no torch);
* ``train`` and ``build`` - the encoder's pre-training and fine-tuning, and ``engine build-ask``.
"""
