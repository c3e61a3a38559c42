"""Build-time training of the learned intent classifier (`hotelbot train`).

`phrases` turns the hand-written phrase banks in `eval/phrases/` into guest-style messages,
`public` maps the public training splits (CLINC150, SGD) onto our labels, `features` embeds
texts once and caches the vectors, `fit` trains the softmax heads and calibrates them. Nothing
here runs in the bot: the bot loads the file this writes (`understand/data/intent_model.npz`).
"""
