"""PMS integration service: one contract (`schemas`), one service layer, adapters, two faces.

The chatbot imports only `hotelbot.pms.client`, `hotelbot.pms.schemas` and `hotelbot.pms.errors`.
"""
