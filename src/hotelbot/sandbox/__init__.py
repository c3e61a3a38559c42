"""A local stand-in for Meta's WhatsApp Cloud API, plus a guest simulator page.

Our real `GraphClient` talks to it (under `/sandbox/graph/`); it delivers signed webhooks to the
bot; `docs/sandbox.md` documents its endpoints. The demo number below is setting-free so the demo
hotel and the simulator agree on it.
"""

DEMO_PHONE_NUMBER_ID = "109876543210987"
DEMO_DISPLAY_NUMBER = "+1 555 0100"
#: WhatsApp Business Account id used in the sandbox's webhook envelopes.
DEMO_WABA_ID = "209876543210987"
