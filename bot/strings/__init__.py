"""Every word a citizen or an officer reads, in one place, in natural Vietnamese (English
for English questions): ``answers`` (the answer engine's lead-ins, declines, greetings and
help), ``conversation`` (buttons, tickets, subscriptions), ``broadcast`` (the officers'
broadcast dialogue and reports), ``errors`` (the one apology and the web's refusals)."""
