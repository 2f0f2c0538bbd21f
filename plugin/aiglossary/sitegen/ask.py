"""The Ask box of the A-Z index page and the link to it from the search dialog. No MkDocs, no torch.

The box works only where ``docs/demos/ask/`` was built (``engine build-ask``); the script
``glossary-ask.js`` binds it and loads the model on the first question.
"""

from __future__ import annotations

ANCHOR = "ask"
FILTER_MARK = '<div class="glossary-filter"'

BOX = """<section class="glossary-ask" id="ask" data-ask aria-labelledby="glossary-ask-title">
<h2 id="glossary-ask-title">Ask the glossary</h2>
<p class="glossary-ask-intro">Don't know the word? Describe the idea in your own words, for example
<em>a big model teaches a small one to copy its answers</em>, and see the five terms that fit best.</p>
<form class="glossary-ask-form" role="search" aria-label="Ask the glossary">
<label for="glossary-ask-input" class="glossary-ask-label">Your description</label>
<input id="glossary-ask-input" class="glossary-ask-input" type="search" autocomplete="off" spellcheck="true" maxlength="500">
<button type="submit" class="md-button md-button--primary glossary-ask-run">Ask</button>
</form>
<p class="glossary-ask-status" role="status" aria-live="polite"></p>
<ol class="glossary-ask-results" aria-label="Matching terms"></ol>
</section>
"""


def insert_box(html: str) -> str:
    """The index page's HTML with the Ask box placed before its filters (or at the start)."""
    at = html.find(FILTER_MARK)
    return html + BOX if at < 0 else html[:at] + BOX + html[at:]
