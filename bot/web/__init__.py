"""The web chat: the page, the embeddable widget, and the JSON API behind both."""
